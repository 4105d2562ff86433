"""Whole output sets, swapped in at once, and a full disk named as such.

:func:`atomic_dir` gives a command a temporary sibling folder to write its
whole output set into, then swaps it with the target folder in one rename
(``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames), so a reader
sees the old set or the new one, never a mix. Concurrent runs each write
their own temporary folder and swap under a lock on the parent folder: the
last swap wins, with a whole set. Temporary folders carry the writer's pid
(``.NAME.lzgis-new-PID-TOKEN``); one whose process is dead (killed with
``kill -9``) is removed by the next run into the same folder.

Each command owns a set of file names: in the new folder those names are
exactly what this run wrote (a file of an older run that this run does not
write is gone), and the folder's other plain files are carried over (hard
links), so two commands can share a folder. Subfolders and links of other
names cannot be carried over atomically and are refused with one line
before any work is done.

:func:`no_space` turns "no space left on device" from any writer (Python,
GDAL, SQLite) into one :class:`lzgis.OutputError` naming the file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from lzgis._errors import OutputError

__all__ = ["atomic_dir", "make_parent", "no_space", "require_output_folder"]

_TAG = ".lzgis-"
_NEARLY_FULL = 1 << 20  # bytes: a writer that fails with less free than this ran out of space
_FULL_WORDS = ("no space left", "disk is full", "disk full", "quota exceeded")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return None
    blocks = st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail
    return int(blocks) * int(st.f_frsize)


def _is_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc`` (from any writer) means the disk under ``folder`` is full.

    GDAL's GeoJSON driver only says "Cannot write feature", so besides the
    errno and the message the free space left is asked too.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if any(word in text for word in _FULL_WORDS):
        return True
    free = _free_bytes(folder)
    return free is not None and free < _NEARLY_FULL


@contextlib.contextmanager
def no_space(target: str | Path, folder: str | Path) -> Iterator[None]:
    """Re-raise a full disk under ``folder`` as one line naming ``target``.

    Other exceptions pass unchanged. Use it around the writing, before the
    temporary file is removed (its blocks tell a full disk from other errors).
    """
    try:
        yield
    except OutputError:
        raise
    except Exception as exc:
        if not _is_disk_full(exc, Path(folder)):
            raise
        raise OutputError(
            f"no space left on device while writing {target}; the previous output is "
            f"unchanged; fix: free space on that disk or write elsewhere (`--out`)"
        ) from None


def make_parent(target: Path) -> Path:
    """Create ``target``'s folder (and its parents); return it. One line naming both if it cannot."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{target}: cannot create folder {parent} ({exc.strerror}); fix: choose another path"
        ) from None
    return parent


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _stale(parent: Path, name: str) -> list[Path]:
    """Temporary folders of ``name`` in ``parent`` whose writing process is dead."""
    pattern = re.compile(rf"^\.{re.escape(name)}{re.escape(_TAG)}(new|old)-(\d+)-[0-9a-f]+$")
    found = []
    for entry in parent.iterdir():
        m = pattern.match(entry.name)
        if m and not _alive(int(m.group(2))):
            found.append(entry)
    return found


def _temp(parent: Path, name: str, kind: str) -> Path:
    return parent / f".{name}{_TAG}{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError, TypeError):  # no renameat2 (old glibc, macOS, Windows)
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextlib.contextmanager
def _locked(parent: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``parent`` (released by the kernel if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: renames alone
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old ``target`` (if any) is removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old set
        return
    old = _temp(target.parent, target.name, "old")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def require_output_folder(path: str | Path, *, owns: Iterable[str]) -> None:
    """Raise :class:`lzgis.OutputError` unless :func:`atomic_dir` can write ``path``.

    It can when ``path`` is new, or a folder whose entries are ``owns`` names
    or plain files (kept); a subfolder or link of another name is refused.
    :func:`atomic_dir` checks this itself; call it first to fail before slow work.
    """
    _check_folder(Path(path).resolve(), set(owns))


def _check_folder(target: Path, owns: set[str]) -> None:
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise OutputError(
            f"`{target}` is a file; expected a folder for the output set; fix: choose another `--out`"
        )
    odd = sorted(
        p.name
        for p in target.iterdir()
        if p.name not in owns and (p.is_symlink() or not p.is_file())
    )
    if odd:
        shown = ", ".join(odd[:3]) + (f" and {len(odd) - 3} more" if len(odd) > 3 else "")
        raise OutputError(
            f"`{target}` holds folders or links lzgis did not write ({shown}); lzgis replaces "
            "its output folder in one step, keeping other plain files only; fix: choose a new "
            "or empty folder for `--out`"
        )


def _keep_others(target: Path, tmp: Path, owns: set[str]) -> None:
    """Carry the plain files of ``target`` that this set does not own into ``tmp``.

    Hard links where the file system allows (no copy, the original stays put
    until the swap), else copies.
    """
    if not target.is_dir():
        return
    for entry in target.iterdir():
        dst = tmp / entry.name
        if entry.name in owns or dst.exists() or entry.is_symlink() or not entry.is_file():
            continue
        try:
            os.link(entry, dst)
        except OSError:
            shutil.copy2(entry, dst)


@contextlib.contextmanager
def atomic_dir(path: str | Path, *, owns: Iterable[str]) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces ``path`` as a whole.

    Parameters
    ----------
    path
        The output folder (created with its parents; symlinks are followed).
    owns
        Every file name this output set may hold (also those it does not
        write this time). In the new folder these names are exactly what
        was written; other plain files of the old folder are kept (hard
        links). A subfolder or link of another name is refused with
        :class:`lzgis.OutputError` before anything is written.

    On any exception the temporary folder is removed and ``path`` is
    untouched. Stale temporary folders of dead processes are removed first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "site"
    >>> with atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
    ...     _ = (tmp / "a.txt").write_text("new", encoding="utf-8")
    >>> _ = (out / "notes.txt").write_text("mine", encoding="utf-8")
    >>> with atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
    ...     _ = (tmp / "b.txt").write_text("new", encoding="utf-8")
    >>> sorted(p.name for p in out.iterdir())
    ['b.txt', 'notes.txt']
    """
    target = Path(path).resolve()
    parent = make_parent(target)
    owned = set(owns)
    _check_folder(target, owned)
    for entry in _stale(parent, target.name):
        shutil.rmtree(entry, ignore_errors=True)
    tmp = _temp(parent, target.name, "new")
    try:
        with no_space(target, parent):
            tmp.mkdir()
            if target.is_dir():
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        try:
            yield tmp
        except OutputError as exc:  # name the real folder, not the temporary one
            raise OutputError(str(exc).replace(str(tmp), str(target))) from None
        with _locked(parent), no_space(target, parent):
            _check_folder(target, owned)
            _keep_others(target, tmp, owned)
            _swap(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
