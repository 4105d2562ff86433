"""``lzgis greening report --out report.html|report.pdf``: the bureau's own report,
opened in a real headless Chromium with the network blocked, and printed to PDF.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pypdf
import pytest
from click.testing import CliRunner
from geotiffs import write_geotiff
from rasterio.transform import from_origin
from shapely import box

from lzgis.cli import main
from lzgis.maps import snapshots

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 3_990_000.0
NAMES = ["Chengguan", "Qilihe", "Yongdeng <b>&"]  # Latin: the test machine may lack CJK fonts


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    data = np.where(np.arange(40)[None, :] < 20, 0.8, 0.1).repeat(40, axis=0).astype("float32")
    ndvi = tmp_path / "ndvi.tif"
    write_geotiff(ndvi, data, crs=UTM, transform=from_origin(X0, Y0, 10, 10), nodata=-9999)
    zones = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame(
        {"name": NAMES, "adcode": [620102, 620103, 620121]},
        geometry=[
            box(X0, Y0 - 400, X0 + 200, Y0),
            box(X0 + 200, Y0 - 400, X0 + 400, Y0),
            box(X0 + 390, Y0 - 400, X0 + 3000, Y0),  # mostly outside the imagery
        ],
        crs=UTM,
    ).to_file(zones)
    return {"zones": zones, "ndvi": ndvi}


def _args(files: dict[str, Path]) -> list[str]:
    return [
        "--zones", str(files["zones"]), "--zone-field", "name", "--raster", str(files["ndvi"]),
        "--ndvi-threshold", "0.3",
    ]  # fmt: skip


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_html_report_offline_in_chromium(
    files: dict[str, Path], tmp_path: Path, browser: object
) -> None:
    out = tmp_path / "report.html"
    code, _, stderr = _run("greening", "report", *_args(files), "--out", out)
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert "Yongdeng &lt;b&gt;&amp;" in html and "Yongdeng <b>" not in html  # escaped
    assert "@page{size:A4" in html and "http" not in html.replace("http://www.w3.org", "")
    # one file that stands alone: it links nothing, not even lzgis's assets
    assert all(u.startswith(("data:", "#")) for u in re.findall(r'(?:src|href)="([^"]*)"', html))
    errors: list[str] = []
    network: list[str] = []
    for width in (1200, 390):
        ctx = browser.new_context(viewport={"width": width, "height": 800})  # type: ignore[attr-defined]
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r: object) -> None:
            url = r.request.url  # type: ignore[attr-defined]
            if url.startswith(("file:", "data:")):
                r.continue_()  # type: ignore[attr-defined]
            else:
                network.append(url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        svg = page.locator("svg.map")
        assert svg.is_visible()
        box_ = svg.bounding_box()
        assert box_ is not None and 200 < box_["width"] <= width and box_["height"] > 20
        assert page.locator("svg.map path.zone").count() == 3
        titles = page.locator("svg.map path.zone title").all_text_contents()
        assert any("Yongdeng <b>&" in t and "insufficient" in t for t in titles)
        text = page.inner_text("body")
        for name in NAMES:
            assert name in text
        assert "数据不足 / insufficient data" in text and "方法与来源 / Method and sources" in text
        assert "not checked" in text  # the plan's forest and per-capita targets
        # no horizontal scrolling of the page on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        ctx.close()
    assert errors == [] and network == []


def test_pdf_report_has_every_zone_name(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    code, _, stderr = _run("greening", "report", *_args(files), "--out", out)
    assert code == 0, stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(out)
    box_ = reader.pages[0].mediabox
    assert (round(float(box_.width)), round(float(box_.height))) == (595, 842)  # A4 in points
    pages = [p.extract_text() for p in reader.pages]
    assert any(all(n in t for n in NAMES) for t in pages)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_pdf_without_chromium_exit_2_one_line(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    out = tmp_path / "report.pdf"
    code, _, stderr = _run("greening", "report", *_args(files), "--out", out)
    assert code == 2 and not out.exists()
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "needs Chromium" in lines[0] and "apt-get install" in lines[0]


def test_report_without_sources_keeps_the_embedded_table(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    code, stdout, _ = _run("greening", "report", "--out", out)
    assert code == 0 and "illustrative" in stdout and out.read_bytes()[:3] == b"\xef\xbb\xbf"
    table = pd.read_csv(out)
    # the embedded green is schematic planned green: shares, but no pass/fail or shortfall
    assert set(table["basis"]) == {"planned_zones"}
    assert table[["target", "passed", "shortfall_km2"]].isna().all().all()
    assert set(table["verdict_note"]) == {"无实测数据，不作判定 / not measured: no verdict"}
    assert (table["coverage"].round(4) == table["coverage"]).all()
