"""What every command shares (lzgis.cli._base): one-line usage errors, no warnings, clean
progress lines, Ctrl-C as one line and exit 130, constraint files with odd names."""

from __future__ import annotations

import contextlib
import os
import pty
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import box

from lzgis import layers
from lzgis.cli import main
from lzgis.layers import CONFIG_ENV

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def zones(tmp_path: Path) -> Path:
    path = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[box(103.80, 36.0, 103.82, 36.01)], crs=4326
    ).to_file(path)
    return path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["greening", "coverage", "--raster", "r.tif", "--ndvi-threshold", "0,3"],
            "Error: Invalid value for '--ndvi-threshold': '0,3' is not a valid float; "
            "fix: write a number with a decimal point, e.g. 0.3",
        ),
        (
            ["greening", "coverage", "--band", "abc"],
            "Error: Invalid value for '--band': 'abc' is not a valid integer; "
            "fix: write a whole number, e.g. 1",
        ),
        (
            ["greening", "coverage", "--zones", "{tmp}"],
            "Error: Invalid value for '--zones': File '{tmp}' is a directory; "
            "fix: give a file's path, not a folder",
        ),
        (
            [
                "greening",
                "coverage",
                "--zones",
                "{zones}",
                "--zone-field",
                "name",
                "--out",
                "{tmp}",
            ],
            "Error: Invalid value for '--out': File '{tmp}' is a directory; "
            "fix: give a file's path, not a folder",
        ),
        (
            ["--config", "{tmp}", "layers", "list"],
            "Error: Invalid value for '--config': File '{tmp}' is a directory; "
            "fix: give a file's path, not a folder",
        ),
        (
            ["allocate", "--out", "{zones}"],
            "Error: Invalid value for '--out': Directory '{zones}' is a file; "
            "fix: give a folder's path, not a file",
        ),
        (
            ["greening", "coverage", "--zones", "{zones}"],
            "Error: Missing option '--out'; fix: add it; see `lzgis greening coverage --help`",
        ),
        (
            ["greening", "check", "--as", "green"],
            "Error: Invalid value for '--as': 'green' is not one of 'greening_coverage', "
            "'forest_coverage'; fix: use one of the values listed",
        ),
    ],
)
def test_usage_errors_are_one_line_with_the_fix(
    tmp_path: Path, zones: Path, args: list[str], expected: str
) -> None:
    filled = [a.format(tmp=tmp_path, zones=zones) for a in args]
    before = sorted(tmp_path.iterdir())
    code, out, err = _run(*filled)
    assert (code, out) == (2, "")
    assert err.splitlines() == [expected.format(tmp=tmp_path, zones=zones)]
    assert sorted(tmp_path.iterdir()) == before


def test_help_still_prints_help() -> None:
    code, out, _ = _run("greening", "coverage", "--help")
    assert code == 0 and "--zones" in out


def test_only_publish_loads_the_maps() -> None:
    """Every other command starts without folium and the map modules (0.3 s at each start)."""
    probe = (
        "import sys, lzgis.cli; "
        "print(sorted(m for m in ('folium', 'lzgis.maps', 'lzgis.publish') if m in sys.modules))"
    )
    got = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert got.stdout.strip() == "[]"
    result = CliRunner().invoke(main, ["publish", "--help"])
    assert result.exit_code == 0 and "[default: 500.0]" in " ".join(result.output.split())


# --- warnings ---------------------------------------------------------------------


def test_shapefile_export_says_which_fields_were_shortened_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "districts.shp"
    code, stdout, err = _run("layers", "export", "districts", "--to", out)
    assert code == 0, err
    [note] = err.splitlines()
    assert note.startswith(f"note: {out}: Shapefile field names hold at most 10 bytes; shortened ")
    assert "area_km2_official → area_km2_o" in note and "Warning" not in err
    columns = gpd.read_file(out).columns
    assert "area_km2_o" in columns and "area_km2_1" in columns
    assert stdout.startswith("wrote 8 features")


def test_shapefile_export_raises_no_python_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.export("districts", tmp_path / "d.shp")


def test_mixed_geometry_to_a_shapefile_is_one_line(tmp_path: Path) -> None:
    code, _, err = _run("layers", "export", "projects", "--to", tmp_path / "p.shp")
    assert code == 2
    assert err.splitlines() == [
        f"Error: {tmp_path / 'p.shp'}: a Shapefile holds one geometry type but the data has "
        "LineString, Point; fix: write a .gpkg or .geojson instead"
    ]
    assert list(tmp_path.iterdir()) == []


# --- constraint files with odd names ----------------------------------------------


def test_a_constraint_named_dashes_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    monkeypatch.chdir(tmp_path)
    gpd.GeoDataFrame({"id": ["r"]}, geometry=[box(103.8, 36.0, 103.9, 36.1)], crs=4326).to_file(
        "---.geojson"
    )
    code, _, err = _run("allocate", "--constraints", "---.geojson", "--out", "res")
    assert code == 2
    assert err.splitlines() == [
        "Error: constraint file ---.geojson: its name '' is not a plain word; expected letters, "
        "digits and '_'; fix: rename the file (letters, digits and '_', e.g. red_line.geojson)"
    ]
    assert not (tmp_path / "res").exists()


# --- progress bars and Ctrl-C (real processes) -------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(SRC),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        CONFIG_ENV: str(toy.write_layers(tmp_path / "layers")),
    }


def test_an_error_leaves_no_progress_label_on_a_terminal(tmp_path: Path, zones: Path) -> None:
    raster = tmp_path / "lc.tif"
    write_geotiff(
        raster,
        np.full((40, 40), 5, dtype="uint8"),
        crs="EPSG:4326",
        transform=from_origin(103.80, 36.01, 0.0005, 0.00025),
    )
    master, slave = pty.openpty()
    args = ["greening", "coverage", "--zones", str(zones), "--zone-field", "name"]
    args += ["--raster", str(raster), "--classes", "50", "--out", str(tmp_path / "c.csv")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "lzgis", *args],
        stderr=slave,
        stdout=subprocess.DEVNULL,
        env=_env(tmp_path),
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 2
    text = seen.decode("utf-8")
    assert "raster windows" in text  # the bar was drawn on the terminal...
    last = text.rsplit("\x1b[K", 1)[1].removeprefix("\x1b[?25h")  # erased before the error
    assert last.startswith("Error: `") and "none of the classes 50" in last
    assert last.strip().count("\n") == 0


def _writing(folder: Path) -> bool:
    """True once publish's temporary set (.site.lzgis-new-…) holds a file."""
    for d in folder.glob(".site.lzgis-new-*"):
        with contextlib.suppress(OSError):  # renamed into place meanwhile
            if any(d.iterdir()):
                return True
    return False


@pytest.mark.parametrize("moment", ["loading", "writing"])
def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path, moment: str) -> None:
    out = tmp_path / "site"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lzgis", "publish", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
        text=True,
    )
    if moment == "loading":
        time.sleep(0.4)  # past the interpreter's own start, inside the imports
    else:
        # the set is written into a temporary sibling (.site.lzgis-new-…) and swapped in
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _writing(tmp_path):
            time.sleep(0.005)
    if proc.poll() is not None:
        pytest.skip(f"publish finished before the {moment} moment on this machine")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert "Traceback" not in stderr
    [line] = stderr.splitlines()
    assert line.startswith("Error: interrupted (Ctrl-C)")
    if out.exists():
        assert [p.name for p in out.iterdir() if ".tmp" in p.name] == []
        for path in out.glob("[!.]*.html"):  # what is there is whole
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
