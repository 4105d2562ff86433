"""``lzgis publish`` and the site writer: files, reproducibility, options, errors."""

from __future__ import annotations

from pathlib import Path

import maps_fixtures as fx
import pandas as pd
import pytest
from click.testing import CliRunner

from lzgis import publish as pub
from lzgis.cli import main
from lzgis.publish import MAPS, resolve_basemap, write_site


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publishing_twice_gives_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_site(fx.results(fx.layers()), tmp_path / run, basemap="none", offline=True)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(a) == {m[0] for m in MAPS} | {
        "index.html",
        "greening_report.csv",
        "allocation.csv",
        "conflicts.csv",
        "projects.csv",
    }
    assert a == b
    assert not [
        p for p in (tmp_path / "a").rglob("*") if p.name.startswith(".")
    ]  # no temp files left


def test_default_site_writes_assets_once_beside_the_pages(tmp_path: Path) -> None:
    written = write_site(fx.results(fx.layers()), tmp_path, basemap="osm", offline=False)
    rel = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert "assets/leaflet/leaflet.js" in rel and "assets/leaflet/LICENSE" in rel
    assert rel.count("assets/leaflet/leaflet.js") == 1
    assert (
        sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
        == rel
    )
    for name, _, _ in MAPS:
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert '<script src="assets/leaflet/leaflet.js"></script>' in page
        assert "cdn.jsdelivr" not in page


def test_report_tables_are_written_without_geometry(tmp_path: Path) -> None:
    inputs = fx.results(fx.layers())
    write_site(inputs, tmp_path, basemap="none", offline=False)
    report = pd.read_csv(tmp_path / "greening_report.csv")
    assert list(report.columns) == [c for c in inputs.report.columns if c != "geometry"]
    assert report["zone"].tolist() == ["city", "chengguan", "qilihe", "hitech_yantan"]
    conflicts = pd.read_csv(tmp_path / "conflicts.csv")
    assert conflicts["rule"].tolist() == [fx.XSS]  # CSV keeps data as it is


def test_offline_defaults_to_no_basemap() -> None:
    assert resolve_basemap(None, offline=True) == "none"
    assert resolve_basemap(None, offline=False) == "osm"
    assert resolve_basemap("gaode", offline=True) == "gaode"


@pytest.fixture
def fixture_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pub, "load_inputs", lambda **_: fx.results(fx.layers()))


@pytest.mark.usefixtures("fixture_inputs")
def test_cli_publish_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["publish", "--out", str(out), "--offline"])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and (out / "overview.html").exists()
    assert str(out / "projects.html") in result.stdout
    assert "<script src=" not in (out / "overview.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("fixture_inputs")
def test_cli_warns_that_offline_network_tiles_will_not_load(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--out", str(tmp_path), "--offline", "--basemap", "osm"]
    )
    assert result.exit_code == 0, result.output
    assert "tiles need a network" in result.stderr
    assert "tile.openstreetmap.org" in (tmp_path / "overview.html").read_text(encoding="utf-8")


def test_cli_refuses_tianditu_without_a_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--out", str(tmp_path), "--basemap", "tianditu"])
    assert result.exit_code == 2
    assert "Error: `--basemap tianditu` needs a Tianditu key" in result.stderr
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_separate_processes_with_different_hash_seeds_write_identical_files(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    tests_dir = Path(__file__).parent
    src = tests_dir.parent / "src"
    code = (
        "import sys; import maps_fixtures as fx; from lzgis.publish import write_site; "
        "write_site(fx.results(fx.layers()), sys.argv[1], basemap='osm', offline=False)"
    )
    for seed, run in (("1", "a"), ("2", "b")):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(src), str(tests_dir)]),
        }
        subprocess.run([sys.executable, "-c", code, str(tmp_path / run)], check=True, env=env)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


@pytest.mark.usefixtures("fixture_inputs")
def test_progress_steps_and_snapshot_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shots: list[tuple[str, str]] = []

    def fake_snapshot(page: Path, png: Path) -> Path:
        shots.append((Path(page).name, Path(png).name))
        return Path(png)

    monkeypatch.setattr(pub, "snapshot", fake_snapshot)
    steps: list[str] = []
    pub.publish(tmp_path, offline=True, snapshots=True, progress=steps.append)
    assert len(steps) == pub.step_count(snapshots=True)
    assert steps[0] == "analyses" and steps[-1] == "projects.png"
    assert shots == [(m[0], m[0].replace(".html", ".png")) for m in MAPS]
