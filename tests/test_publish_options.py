"""``lzgis publish --river-buffer M --constraints PATH``: the band drawn, the user's layers, every table.

Runs the real analyses on the toy city (tests/_toy_city.py, real GeoJSON files
pointed at by the config), so the maps and tables change only if the options
reach them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import box

from lzgis.cli import main
from lzgis.layers import CONFIG_ENV
from lzgis.maps import MapOptions, allocation_map
from lzgis.publish import load_inputs

KM = toy.KM
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    red = gpd.GeoDataFrame(
        {"id": ["r1"], "name_zh": ["红线"], "name_en": ["Red <b>line</b>"]},
        geometry=[box(-3 * KM, 4 * KM, -2 * KM, 6 * KM)],  # the pipeline (y = 5 km) crosses it
        crs=toy.LAEA,
    )
    red.to_file(tmp_path / "red_line.gpkg")
    return tmp_path


def _publish(city: Path, name: str, *args: str) -> Path:
    out = city / name
    result = CliRunner().invoke(
        main, ["publish", "--out", str(out), "--offline", "--basemap", "none", *args]
    )
    assert result.exit_code == 0, result.output
    return out


def _features(page: str) -> list[dict]:
    """Every GeoJSON feature the page adds to the map (decoded from the page's script)."""
    payloads = re.findall(r"geo_json_\w+_add\((\{.*?\})\);\n", page)
    return [f for p in payloads for f in json.loads(p)["features"]]


def _strip_xs(page: str) -> list[float]:
    """Longitudes of the river strip's outline (its popup gives the width)."""
    strips = [f for f in _features(page) if "Width each side" in f["properties"]["_p"]]
    assert len(strips) == 1
    ring = strips[0]["geometry"]["coordinates"][0]  # 1e-5 degree steps from an absolute start
    return [float(x) / 1e5 for x in np.cumsum([step[0] for step in ring])]


def test_river_buffer_changes_the_band_drawn_and_the_tables(city: Path) -> None:
    base = _publish(city, "base")
    wide = _publish(city, "wide", "--river-buffer", "1000")
    page_base = (base / "allocation.html").read_text(encoding="utf-8")
    page_wide = (wide / "allocation.html").read_text(encoding="utf-8")
    assert "river strip (500 m)" in page_base and "river strip (1000 m)" in page_wide
    assert "500 m" not in page_wide
    # the strip drawn is twice as wide: the river runs north-south along x = 4 km
    xs_base, xs_wide = _strip_xs(page_base), _strip_xs(page_wide)
    assert (max(xs_wide) - min(xs_wide)) / (max(xs_base) - min(xs_base)) == pytest.approx(
        2, rel=0.02
    )
    a = pd.read_csv(base / "allocation.csv")
    b = pd.read_csv(wide / "allocation.csv")
    assert set(a["river_buffer_m"]) == {500} and set(b["river_buffer_m"]) == {1000}
    park_b = lambda t: t[(t.row_kind == "park_total") & (t.park_id == "b")].iloc[0]  # noqa: E731
    # the river runs through the middle of park b (2 km wide, 2 km tall): 1 km x 2 km, then 2 km x 2 km
    assert park_b(a)["river_buffer_km2"] == pytest.approx(2.0, rel=1e-3)
    assert park_b(b)["river_buffer_km2"] == pytest.approx(4.0, rel=1e-3)
    assert "(1000 m)" in pd.read_csv(wide / "conflicts.csv")["rule"].str.cat()
    assert (base / "index.html").read_bytes() != (wide / "index.html").read_bytes()


def test_constraints_are_drawn_with_a_legend_entry_and_used_in_every_table(city: Path) -> None:
    out = _publish(city, "red", "--constraints", str(city / "red_line.gpkg"))
    page = (out / "allocation.html").read_text(encoding="utf-8")
    assert "保护:你的图层 red_line / protected: your layer red_line" in page  # legend
    overlays = page.split("overlays :", 1)[1].split("}", 1)[0]  # the layer list (JSON-escaped)
    assert ":red_line / your protected layer: red_line" in overlays
    mine = [f for f in _features(page) if "Your layer" in f["properties"]["_p"]]
    assert len(mine) == 1 and mine[0]["properties"]["style"]["dashArray"] == "6 4"
    popup = mine[0]["properties"]["_p"]
    # names are plain text (the page writes them with textContent); the popup HTML never has them
    assert mine[0]["properties"]["_n"][:2] == ["红线", "Red <b>line</b>"]
    assert "<b>line</b>" not in popup
    assert "red_line" in popup and "r1" in popup
    table = pd.read_csv(out / "allocation.csv")
    assert "red_line_km2" in table.columns
    found = pd.read_csv(out / "conflicts.csv")
    assert ("pipeline", "red_line", "r1") in set(
        zip(found.park_or_project_id, found.protected_layer, found.protected_id, strict=True)
    )
    mine_found = found[found.protected_layer == "red_line"]
    assert set(mine_found.protected_layer_name) == {"你的图层 red_line / your layer red_line"}
    projects = pd.read_csv(out / "projects.csv").set_index("id")
    assert "red_line:r1" in projects.loc["pipeline", "zones"]
    assert "你的图层 red_line / your layer red_line: r1" in projects.loc["pipeline", "zones_name"]
    plain = _publish(city, "plain")
    assert "your layer" not in (plain / "allocation.html").read_text(encoding="utf-8")


def test_a_saved_map_is_the_published_file_byte_for_byte(city: Path) -> None:
    out = _publish(
        city, "site", "--river-buffer", "700", "--constraints", str(city / "red_line.gpkg")
    )
    inputs = load_inputs(river_buffer_m=700, constraints=[city / "red_line.gpkg"])
    page = allocation_map(
        inputs.conflicts,
        inputs.layers,
        allocation=inputs.allocation,
        river_buffer_m=700,
        constraints=inputs.constraints,
        options=MapOptions(basemap="none", offline=True),
    )
    saved = page.save(city / "mine" / "allocation.html")
    assert saved.read_bytes() == (out / "allocation.html").read_bytes()


def test_bad_options_exit_2_with_one_line(city: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["publish", "--out", str(city / "x"), "--river-buffer", "-5"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.strip().splitlines() == [
        "Error: `river_buffer_m` is -5.0; expected a distance in metres >= 0; fix: pass e.g. 500"
    ]
    path = city / "nocrs.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"id": ["r1"]}, geometry=[box(103.7, 36.0, 103.8, 36.1)]).to_file(path)
    res = runner.invoke(main, ["publish", "--out", str(city / "y"), "--constraints", str(path)])
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and "no CRS" in lines[0] and str(path) in lines[0]
    assert not (city / "y").exists()


_BROWSE = """
import json, sys
from playwright.sync_api import sync_playwright
from lzgis.maps.snapshots import CHROMIUM, CHROMIUM_FLAGS

with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.route("http*://**", lambda route: route.abort())
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sys.argv[1])
    page.wait_for_selector(".leaflet-overlay-pane path")
    dashed = page.eval_on_selector_all(
        ".leaflet-overlay-pane path",
        "ps => ps.filter(p => p.getAttribute('stroke') === '#111827'"
        " && p.getAttribute('stroke-dasharray') === '6 4').length",
    )
    print(json.dumps({"dashed": dashed, "legend": page.inner_text(".lz-legend"),
                      "layers": page.inner_text(".leaflet-control-layers"), "errors": errors}))
    browser.close()
"""


def test_the_constraint_layer_renders_in_chromium_with_its_legend(city: Path) -> None:
    """The published page in headless Chromium (network blocked): the layer is drawn, dashed.

    Playwright runs in its own process: the browser tests of this session keep
    a sync Playwright open in this one.
    """
    out = _publish(city, "seen", "--constraints", str(city / "red_line.gpkg"))
    script = city / "browse.py"
    script.write_text(_BROWSE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    run = subprocess.run(
        [sys.executable, str(script), (out / "allocation.html").as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["dashed"] == 1
    assert "保护:你的图层 red_line / protected: your layer red_line" in seen["legend"]
    assert "your protected layer: red_line" in seen["layers"]
    assert seen["errors"] == []


def test_snapshots_of_a_map_that_did_not_render_exit_2_and_keep_the_site(
    city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: Leaflet missing from assets/ -> one line, exit 2, the old site untouched."""
    from lzgis.maps import _assets, _page

    out = city / "site"
    first = CliRunner().invoke(main, ["publish", "--out", str(out), "--basemap", "none"])
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    listing = sorted(p.name for p in city.iterdir())
    without_leaflet = {k: v for k, v in _assets.asset_files().items() if k != _assets.LEAFLET_JS}
    monkeypatch.setattr(_page, "asset_files", lambda: without_leaflet)
    res = CliRunner().invoke(
        main, ["publish", "--out", str(out), "--basemap", "none", "--snapshots"]
    )
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not render" in lines[0] and "Traceback" not in res.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # whole old set
    assert sorted(p.name for p in city.iterdir()) == listing  # no PNG, no temporary folder left
