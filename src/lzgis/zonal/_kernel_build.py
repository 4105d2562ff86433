"""Building the compiled kernel (``_kernel.c`` and the union's ``_union*.c``): standard library only.

The install (``hatch_build.py``, run by ``pip install``) calls :func:`build`
with the machine's C compiler; without one the install still succeeds and
lzgis uses the numpy code, which gives the same bits, more slowly. The
library's file name carries a hash of the C sources and headers, so a
library built from older sources is never loaded (:mod:`lzgis.zonal._kernel`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["HEADERS", "SOURCE", "SOURCES", "build", "compiler", "library_name"]

SOURCE = Path(__file__).with_name("_kernel.c")
SOURCES = (  # one library
    SOURCE,
    Path(__file__).with_name("_union.c"),
    Path(__file__).with_name("_union_cells.c"),
)
HEADERS = (Path(__file__).with_name("_union.h"),)  # in the library's hash, not compiled
# No FMA contraction and no fast-math: each expression rounds as numpy's does
# (-O3 vectorises loops but never reorders floating-point sums).
FLAGS = ("-O3", "-fPIC", "-shared", "-pthread", "-ffp-contract=off", "-fno-fast-math", "-std=c99")


def library_name(sources: Sequence[Path] = SOURCES, headers: Sequence[Path] = HEADERS) -> str:
    """``_kernel-<hash of the sources and headers>.so`` (``.dll`` on Windows)."""
    digest = hashlib.sha256()
    for source in [*sources, *headers]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return f"_kernel-{digest.hexdigest()[:12]}.{'dll' if sys.platform == 'win32' else 'so'}"


def compiler() -> list[str] | None:
    """The C compiler command (``$CC``, else ``cc``, ``gcc`` or ``clang``), or None."""
    if os.environ.get("CC"):
        return shlex.split(os.environ["CC"])
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def build(out_dir: Path, *, sources: Sequence[Path] = SOURCES) -> Path | None:
    """Compile ``sources`` into ``out_dir`` / :func:`library_name`; None without a compiler.

    The library appears whole or not at all (compiled to a temporary name,
    then renamed); libraries built from earlier sources are removed. A compiler
    that fails (or cannot run) raises ``RuntimeError`` with its message.
    """
    cc = compiler()
    if cc is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / library_name(sources)
    names = ", ".join(s.name for s in sources)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".kernel-", suffix=".part")
    os.close(fd)
    try:
        try:
            done = subprocess.run(
                [*cc, *FLAGS, "-o", tmp, *map(str, sources), "-lm"],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:  # e.g. $CC names no program
            raise RuntimeError(f"compiling {names} failed: {exc}") from None
        if done.returncode != 0:
            raise RuntimeError(f"compiling {names} failed: {done.stderr.strip()}")
        os.replace(tmp, target)
        for old in out_dir.glob("_kernel-*"):  # libraries of earlier sources
            if old != target:
                old.unlink()
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
