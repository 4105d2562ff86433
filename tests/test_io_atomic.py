"""Whole output sets (lzgis.io.atomic_dir) and a full disk, on real folders and a real full tmpfs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from lzgis._errors import OutputError
from lzgis.cli import main
from lzgis.io import atomic_dir, write_table, write_text, write_vector

SRC = Path(__file__).resolve().parents[1] / "src"


def _temporaries(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".lzgis-" in p.name)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_set_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_dir(out, owns={"a.txt", "b.txt", "c.txt"}) as tmp:
        write_text("a1", tmp / "a.txt")
        write_text("b1", tmp / "b.txt")
    with atomic_dir(out, owns={"a.txt", "b.txt", "c.txt"}) as tmp:
        assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt"]  # old set in place
        write_text("a2", tmp / "a.txt")
        write_text("c2", tmp / "c.txt")
    # the new set only: b.txt of the old run does not linger beside it
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "a2", "c.txt": "c2"}
    assert _temporaries(tmp_path) == []


def test_a_failed_run_leaves_the_old_set(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
        write_text("old a", tmp / "a.txt")
        write_text("old b", tmp / "b.txt")
    with pytest.raises(RuntimeError), atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
        write_text("new a", tmp / "a.txt")
        raise RuntimeError("crash after one file")
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "old a", "b.txt": "old b"}
    assert _temporaries(tmp_path) == []


def test_other_files_are_kept_and_foreign_folders_refused(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    (out / "notes.docx").write_text("the bureau's own file")
    (out / "a.txt").write_text("old a")
    (out / "b.txt").write_text("old b")
    with atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
        write_text("new a", tmp / "a.txt")
    # owned names: exactly this run's (b.txt of the older run is gone); others kept
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "a.txt": "new a",
        "notes.docx": "the bureau's own file",
    }
    (out / "photos").mkdir()
    refused = r"holds folders or links lzgis did not write \(photos\)"
    with pytest.raises(OutputError, match=refused), atomic_dir(out, owns={"a.txt"}):
        raise AssertionError("never reached")
    assert (out / "a.txt").read_text() == "new a" and _temporaries(tmp_path) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="is a file"), atomic_dir(tmp_path / "file", owns=()):
        raise AssertionError("never reached")


def test_stale_temporaries_of_dead_processes_are_cleaned(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    stale = [tmp_path / f".site.lzgis-new-{dead}-0a1b", tmp_path / f".site.lzgis-old-{dead}-2c3d"]
    live = tmp_path / f".site.lzgis-new-{alive}-4e5f"  # another run still writing: kept
    other = tmp_path / f".other.lzgis-new-{dead}-6a7b"  # another folder's: not ours to judge
    for folder in [*stale, live, other]:
        folder.mkdir()
        (folder / "half.html").write_text("half")
    with atomic_dir(tmp_path / "site", owns={"a.txt"}) as tmp:
        write_text("a", tmp / "a.txt")
    assert _temporaries(tmp_path) == sorted([live.name, other.name])


def test_concurrent_runs_give_one_whole_set(tmp_path: Path) -> None:
    out = tmp_path / "site"
    names = [f"f{i}.txt" for i in range(20)]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(tag: str) -> None:
        try:
            start.wait()
            with atomic_dir(out, owns=names) as tmp:
                for name in names:
                    write_text(tag, tmp / name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    contents = {p.read_text() for p in out.iterdir()}
    assert len(contents) == 1 and sorted(p.name for p in out.iterdir()) == sorted(names)
    assert _temporaries(tmp_path) == []


# --- a full disk: a real 1 MiB tmpfs -----------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs mounted in tmp_path (needs root; skipped where mounting is refused)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` free bytes."""
    st = os.statvfs(disk)
    free = st.f_bfree * st.f_frsize
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_full_disk_for_each_format_names_the_file_and_keeps_the_old_output(
    small_disk: Path, squares: gpd.GeoDataFrame
) -> None:
    big = squares.iloc[[0] * 4000].reset_index(drop=True)
    big["id"] = [f"feature-{i:05d}" for i in range(len(big))]
    outputs = {
        small_disk / "a.gpkg": lambda p: write_vector(big, p),
        small_disk / "a.geojson": lambda p: write_vector(big, p),
        small_disk / "a.csv": lambda p: write_table(pd.DataFrame(big.drop(columns="geometry")), p),
        small_disk / "a.html": lambda p: write_text("<p>" * 400_000, p),
    }
    for path in outputs:
        path.write_text("previous output")
    _fill(small_disk, leave=32 * 1024)
    for path, write in outputs.items():
        with pytest.raises(OutputError) as info:
            write(path)
        assert str(info.value).startswith(f"no space left on device while writing {path};")
        assert path.read_text() == "previous output"
    assert sorted(p.name for p in small_disk.iterdir()) == sorted(
        ["filler", *(p.name for p in outputs)]
    )


def test_full_disk_in_the_cli_is_one_line_exit_2(small_disk: Path) -> None:
    out = small_disk / "res"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    first = subprocess.run(
        [sys.executable, "-m", "lzgis", "allocate", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _fill(small_disk, leave=8 * 1024)
    for args in (
        ["allocate", "--out", str(out)],
        ["layers", "export", "districts", "--to", str(small_disk / "d.gpkg")],
        ["greening", "report", "--out", str(small_disk / "r.csv")],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "lzgis", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert result.returncode == 2, result.stderr
        assert len(errors) == 1 and "Traceback" not in result.stderr
        assert errors[0].startswith("Error: no space left on device while writing ")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "res"]


# --- layers export: the GeoJSON's name is the target's ----------------------------------


def test_geojson_exports_are_byte_identical_and_named_after_the_target(tmp_path: Path) -> None:
    target = tmp_path / "parks_export.geojson"
    runs = []
    for _ in range(2):
        result = CliRunner().invoke(main, ["layers", "export", "parks", "--to", str(target)])
        assert result.exit_code == 0, result.output
        runs.append(target.read_bytes())
    assert runs[0] == runs[1]
    assert b'"name": "parks_export"' in runs[0]
    assert b".tmp" not in runs[0]


def test_without_an_atomic_exchange_two_renames_still_swap_whole_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lzgis.io import _atomic

    monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)  # as on macOS / Windows
    out = tmp_path / "site"
    for tag in ("one", "two"):
        with atomic_dir(out, owns={"a.txt", "b.txt"}) as tmp:
            write_text(tag, tmp / "a.txt")
            write_text(tag, tmp / "b.txt")
    assert {p.name: p.read_text() for p in out.iterdir()} == {"a.txt": "two", "b.txt": "two"}
    assert _temporaries(tmp_path) == []
