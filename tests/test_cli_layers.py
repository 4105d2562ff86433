"""`lzgis layers ...` exit codes and messages, through click's runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

from lzgis.cli import main
from lzgis.layers import LAYER_IDS, layer_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_validate_each_shipped_layer_exits_0(layer_id: str) -> None:
    code, out, err = _run("layers", "validate", str(layer_path(layer_id)), "--layer", layer_id)
    assert (code, err) == (0, "")
    assert out.endswith(": OK\n")


def test_validate_text_named_geojson(tmp_path: Path) -> None:
    path = tmp_path / "notes.geojson"
    path.write_text("not geodata", encoding="utf-8")
    code, out, err = _run("layers", "validate", str(path))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "unreadable or not geodata" in err and "Traceback" not in err


def test_validate_shapefile_without_prj(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "zones.shp"
    squares.to_file(path)
    path.with_suffix(".prj").unlink()
    code, _, err = _run("layers", "validate", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"{path}: no CRS (the .prj file is missing); fix: add the .prj / CRS, "
        "e.g. with `ogr2ogr -a_srs EPSG:4326`"
    ]


def test_validate_self_intersection(bowtie_file: Path) -> None:
    code, _, err = _run("layers", "validate", str(bowtie_file))
    assert code == 2
    [line] = err.splitlines()
    assert "feature bowtie invalid geometry (Self-intersection" in line


def test_validate_missing_path(tmp_path: Path) -> None:
    code, _, err = _run("layers", "validate", str(tmp_path / "missing.gpkg"))
    assert code == 2
    assert err.splitlines() == [f"{tmp_path / 'missing.gpkg'}: no such file; fix: check the path"]


def test_validate_wrong_layer_fields(tmp_path: Path, squares: gpd.GeoDataFrame) -> None:
    path = tmp_path / "parks.gpkg"
    squares.to_file(path, driver="GPKG")
    code, _, err = _run("layers", "validate", str(path), "--layer", "parks")
    assert code == 2
    assert "missing required field(s) tier, parent, district" in err


def test_unknown_layer_id_is_exit_2() -> None:
    code, _, err = _run("layers", "export", "nope", "--to", "x.gpkg")
    assert code == 2
    assert err.startswith("Error: unknown layer id 'nope'; expected one of districts,")
    assert "Traceback" not in err


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp"])
def test_export_round_trips(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"districts{suffix}"
    code, stdout, _ = _run("layers", "export", "districts", "--to", str(out))
    assert code == 0, stdout
    back = gpd.read_file(out)
    assert len(back) == 8
    assert back.crs.to_epsg() == 4326


def test_export_bad_suffix_writes_nothing(tmp_path: Path) -> None:
    code, _, err = _run("layers", "export", "districts", "--to", str(tmp_path / "d.kml"))
    assert code == 2
    assert "unknown vector format '.kml'" in err
    assert list(tmp_path.iterdir()) == []


def test_list_shows_every_layer() -> None:
    code, out, _ = _run("layers", "list")
    assert code == 0
    for layer_id in LAYER_IDS:
        assert layer_id in out
    assert "schematic" in out and "measured" in out


def test_python_dash_m_is_the_same_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "lzgis", "layers", "validate", "/nonexistent/x.gpkg"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[1],
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "/nonexistent/x.gpkg: no such file; fix: check the path"
