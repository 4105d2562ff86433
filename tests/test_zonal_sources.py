"""lzgis.zonal over imagery collections: tiles in two UTM zones, VRTs, folders, STAC, remote COGs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from geotiffs import write_geotiff
from numpy.testing import assert_allclose
from pyproj import Transformer
from rasterio.shutil import copy as gdal_copy
from shapely import box

from lzgis._errors import RasterError
from lzgis.areas import geodesic_area_m2
from lzgis.zonal import EXTRA_ZONE, raster_coverage, window_count
from lzgis.zonal._sources import resolve

NODATA = -9999.0
LAT_TOP = 36.06  # near Lanzhou's latitude; 102°E is the border of UTM zones 47N and 48N


def write(path: Path, array: np.ndarray, transform: Affine, crs: str) -> Path:
    return write_geotiff(path, array, crs=crs, transform=transform, nodata=NODATA)


def utm_tile(path: Path, crs: str, lon: float, values: np.ndarray) -> Path:
    """A 100 m tile in ``crs`` whose upper-left corner is at (lon, LAT_TOP), snapped to 100 m."""
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, LAT_TOP)
    return write(path, values, Affine(100.0, 0, round(x, -2), 0, -100.0, round(y, -2)), crs)


def ndvi(seed: int, shape: tuple[int, int] = (90, 90)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    arr = rng.uniform(-0.2, 0.9, shape).astype("float32")
    arr[40:50, 20:60] = NODATA  # a cloud: unknown, never filled from the other tile
    return arr


def seam_zones() -> gpd.GeoDataFrame:
    """Zones in lon/lat crossing 102°E; the last one sticks out east of both tiles."""
    geoms = [
        box(101.97, 35.99, 102.06, 36.03),
        shapely.Polygon([(101.99, 36.05), (102.07, 36.0), (101.995, 35.985)]),
        box(102.04, 36.0, 102.2, 36.02),
    ]
    return gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=geoms, crs="EPSG:4326")


@pytest.fixture
def seam_tiles(tmp_path: Path) -> tuple[Path, Path]:
    west = utm_tile(tmp_path / "t47.tif", "EPSG:32647", 101.95, ndvi(1))  # to ~102.05°E
    east = utm_tile(tmp_path / "t48.tif", "EPSG:32648", 101.98, ndvi(2))  # to ~102.08°E
    return west, east


def test_two_utm_tiles_equal_the_piecewise_measure(seam_tiles: tuple[Path, Path]) -> None:
    west, east = seam_tiles
    zones = seam_zones()
    got = raster_coverage(zones, [west, east], ndvi_threshold=0.3)
    # expected: the first tile's extent measured on it, the rest of each zone on the second
    z47 = gpd.GeoSeries(shapely.segmentize(zones.geometry.values, 0.005), crs=4326).to_crs(32647)
    with rasterio.open(west) as src:
        extent = box(*src.bounds)
    first = gpd.GeoDataFrame(geometry=shapely.intersection(z47.values, extent), crs=32647)
    rest = gpd.GeoSeries(shapely.difference(z47.values, extent), crs=32647)
    rest48 = gpd.GeoDataFrame(geometry=shapely.segmentize(rest.values, 500.0), crs=32647)
    a = raster_coverage(first, west, ndvi_threshold=0.3)
    b = raster_coverage(rest48.to_crs(32648), east, ndvi_threshold=0.3)
    data = a.data_km2.to_numpy() + b.data_km2.to_numpy()
    green = a.green_km2.to_numpy() + b.green_km2.to_numpy()
    area = a.area_km2.to_numpy() + b.area_km2.to_numpy()
    assert_allclose(got.coverage, green / data, rtol=0, atol=1e-9)
    assert_allclose(got.unknown, 1 - data / area, rtol=0, atol=1e-9)
    # km²: the zone's own outline (edges straight in lon/lat) vs the pieces' (straight in UTM)
    assert_allclose(got.data_km2, data, rtol=1e-5)
    assert (got.unknown > 0.01).all()  # the clouds and, for c, the part east of both tiles


def test_first_source_wins_where_tiles_overlap(tmp_path: Path) -> None:
    green = utm_tile(tmp_path / "g47.tif", "EPSG:32647", 101.95, np.ones((90, 90), "float32"))
    bare = utm_tile(tmp_path / "b48.tif", "EPSG:32648", 101.98, np.zeros((90, 90), "float32"))
    zones = seam_zones().iloc[:1]
    zone = zones.geometry.iloc[0]
    with rasterio.open(green) as src:
        footprint = gpd.GeoSeries(
            [shapely.segmentize(box(*src.bounds), 100.0)], crs=src.crs
        ).to_crs(4326)
    with rasterio.open(bare) as src:
        bare_fp = gpd.GeoSeries([shapely.segmentize(box(*src.bounds), 100.0)], crs=src.crs)
        bare_fp = bare_fp.to_crs(4326)

    def share(geom: shapely.Geometry) -> float:
        parts = gpd.GeoSeries([geom, zone], crs=4326)
        m2 = geodesic_area_m2(parts)
        return float(m2.iloc[0] / m2.iloc[1])

    # green first: green wherever the green tile reaches, nothing counted twice
    out = raster_coverage(zones, [green, bare], ndvi_threshold=0.5).iloc[0]
    assert out.unknown == 0.0
    assert out.coverage == pytest.approx(share(zone.intersection(footprint.iloc[0])), abs=1e-6)
    # bare first: green only where the bare tile does not reach
    out = raster_coverage(zones, [bare, green], ndvi_threshold=0.5).iloc[0]
    assert out.unknown == 0.0
    assert out.coverage == pytest.approx(share(zone.difference(bare_fp.iloc[0])), abs=1e-6)
    assert 0.0 < out.coverage < 0.2


UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 4_000_000.0


def vrt_of(path: Path, tiles: list[tuple[Path, int, int]], width: int, height: int) -> Path:
    """A VRT placing each (file, column, row) tile of 40 x 40 cells on one grid."""
    wkt = rasterio.crs.CRS.from_string(UTM).to_wkt()
    sources = "".join(
        f"<SimpleSource><SourceFilename relativeToVRT='1'>{p}</SourceFilename>"
        "<SourceBand>1</SourceBand><SrcRect xOff='0' yOff='0' xSize='40' ySize='40'/>"
        f"<DstRect xOff='{c}' yOff='{r}' xSize='40' ySize='40'/></SimpleSource>"
        for p, c, r in tiles
    )
    path.write_text(
        f"<VRTDataset rasterXSize='{width}' rasterYSize='{height}'><SRS>{wkt}</SRS>"
        f"<GeoTransform>{X0}, 10, 0, {Y0}, 0, -10</GeoTransform>"
        f"<VRTRasterBand dataType='Float32' band='1'><NoDataValue>{NODATA}</NoDataValue>"
        f"{sources}</VRTRasterBand></VRTDataset>"
    )
    return path


def grid_tile(path: Path, column: int, row: int, seed: int) -> Path:
    t = Affine(10.0, 0, X0 + 10.0 * column, 0, -10.0, Y0 - 10.0 * row)
    return write(path, ndvi(seed, (40, 40)), t, UTM)


def grid_zones() -> gpd.GeoDataFrame:
    geoms = [
        box(X0 + 105, Y0 - 333, X0 + 612, Y0 - 21),  # across the seam at column 40
        shapely.Polygon([(X0 + 380, Y0 - 5), (X0 + 790, Y0 - 390), (X0 + 20, Y0 - 300)]),
        box(X0 + 700, Y0 - 200, X0 + 900, Y0 - 100),  # partly east of the mosaic
    ]
    return gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=geoms, crs=UTM)


def test_a_vrt_equals_the_list_of_its_files(tmp_path: Path) -> None:
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    a = grid_tile(tiles / "a.tif", 0, 0, 3)
    b = grid_tile(tiles / "b.tif", 40, 0, 4)
    vrt = vrt_of(
        tmp_path / "mosaic.vrt", [(Path("tiles/a.tif"), 0, 0), (Path("tiles/b.tif"), 40, 0)], 80, 40
    )
    zones = grid_zones()
    kw: dict[str, Any] = {"ndvi_threshold": 0.3, "_window_shape": (16, 16)}
    on_vrt = raster_coverage(zones, vrt, **kw)
    on_list = raster_coverage(zones, [a, b], **kw)
    cols = ["area_km2", "data_km2", "green_km2", "coverage", "unknown"]
    assert_allclose(on_list[cols], on_vrt[cols], rtol=1e-12, atol=1e-12)
    assert on_vrt.coverage.min() > 0.0 and on_vrt.unknown.iloc[2] > 0.2
    # a folder and a glob name the same files in the same (name) order
    for given in (tiles, str(tiles / "*.tif")):
        assert_allclose(raster_coverage(zones, given, **kw)[cols], on_list[cols], rtol=0, atol=0)
    assert window_count(zones, [a, b], _window_shape=(16, 16)) > window_count(
        zones, a, _window_shape=(16, 16)
    )


def stac_items(path: Path, items: list[tuple[str, str, dict[str, Any]]]) -> Path:
    features = [
        {
            "type": "Feature",
            "stac_version": "1.0.0",
            "id": name,
            "geometry": None,
            "properties": {"datetime": when},
            "assets": assets,
        }
        for name, when, assets in items
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def tiff(href: str) -> dict[str, Any]:
    return {"href": href, "type": "image/tiff; application=geotiff", "roles": ["data"]}


def test_stac_items_in_file_order_or_newest_first(tmp_path: Path) -> None:
    old = grid_tile(tmp_path / "old.tif", 0, 0, 5)
    new = grid_tile(tmp_path / "new.tif", 20, 0, 6)  # overlaps old in columns 20-39
    thumb = {"href": "thumb.png", "type": "image/png", "roles": ["thumbnail"]}
    items = stac_items(
        tmp_path / "items.json",
        [
            ("old", "2023-07-01T00:00:00Z", {"ndvi": tiff("old.tif"), "thumbnail": thumb}),
            ("new", "2024-07-01T00:00:00Z", {"ndvi": tiff(f"file://{new}"), "thumbnail": thumb}),
        ],
    )
    zones = grid_zones().iloc[:2]
    kw: dict[str, Any] = {"ndvi_threshold": 0.3}
    given = raster_coverage(zones, items, **kw)
    newest = raster_coverage(zones, f"{items}#ndvi", prefer="newest", **kw)
    assert_allclose(given, raster_coverage(zones, [old, new], **kw), rtol=0, atol=0)
    assert_allclose(newest, raster_coverage(zones, [new, old], **kw), rtol=0, atol=0)
    assert not np.allclose(given.coverage, newest.coverage)
    two = stac_items(
        tmp_path / "two.json", [("x", "2024-01-01", {"b4": tiff("a"), "b8": tiff("b")})]
    )
    with pytest.raises(RasterError, match=r"2 raster assets.*two\.json#b4"):
        resolve(two)


# The server runs in its own process: GDAL holds the GIL while it waits for an answer.
RANGE_SERVER = r"""
import http.server, re, sys
from pathlib import Path

root, log = Path(sys.argv[1]), Path(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.serve(body=False)

    def do_GET(self):
        self.serve(body=True)

    def serve(self, body):
        path = root / self.path.split("?")[0].lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start, end = 0, len(data) - 1
        match = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            start = int(match[1])
            end = min(int(match[2]) if match[2] else end, end)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if body:
            self.wfile.write(data[start : end + 1])
            with log.open("a") as f:
                f.write(f"{end - start + 1}\n")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A loopback HTTP server with Range support over a folder; yields (url, folder, byte log)."""
    root, log = tmp_path / "www", tmp_path / "sent.log"
    root.mkdir()
    log.write_text("")
    proc = subprocess.Popen(
        [sys.executable, "-c", RANGE_SERVER, str(root), str(log)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}", root, log
    finally:
        proc.kill()
        proc.wait(10)


def test_a_remote_cog_reads_only_the_blocks_under_the_zones(
    tmp_path: Path, http_root: tuple[str, Path, Path]
) -> None:
    base, root, log = http_root
    rng = np.random.default_rng(7)
    plain = write(
        tmp_path / "plain.tif",
        rng.uniform(-1, 1, (512, 512)).astype("float32"),
        Affine(10.0, 0, X0, 0, -10.0, Y0),
        UTM,
    )
    cog = root / "ndvi_cog.tif"
    gdal_copy(plain, cog, driver="COG", BLOCKSIZE=64, OVERVIEWS="NONE")
    zones = gpd.GeoDataFrame(geometry=[box(X0 + 15, Y0 - 900, X0 + 700, Y0 - 30)], crs=UTM)
    local = raster_coverage(zones, cog, ndvi_threshold=0.2)
    remote = raster_coverage(zones, f"{base}/ndvi_cog.tif", ndvi_threshold=0.2)
    assert_allclose(remote, local, rtol=0, atol=0)
    sent = sum(int(n) for n in log.read_text().split())
    assert 0 < sent < cog.stat().st_size / 4  # a few 64 x 64 blocks of 64 x 8 x 8
    # the same COG as a STAC asset by URL
    items = stac_items(
        tmp_path / "items.json", [("c", "2024-01-01", {"ndvi": tiff(f"{base}/ndvi_cog.tif")})]
    )
    assert_allclose(raster_coverage(zones, items, ndvi_threshold=0.2), local, rtol=0, atol=0)


def test_missing_collections_name_the_input(tmp_path: Path) -> None:
    with pytest.raises(RasterError, match=r"matches no file"):
        resolve(str(tmp_path / "*.tif"))
    with pytest.raises(RasterError, match=r"folder with no rasters"):
        resolve(tmp_path)
    with pytest.raises(RasterError, match=r"no STAC items"):
        resolve(stac_items(tmp_path / "empty.json", []))


def test_zones_outside_every_source_and_a_bad_preference(tmp_path: Path) -> None:
    tiles = [grid_tile(tmp_path / "a.tif", 0, 0, 8), grid_tile(tmp_path / "b.tif", 40, 0, 9)]
    far = gpd.GeoDataFrame(geometry=grid_zones().translate(xoff=50_000), crs=UTM)
    with pytest.raises(RasterError, match=r"a\.tif \(and 1 more sources\).*do not overlap"):
        raster_coverage(far, tiles, ndvi_threshold=0.3)
    with pytest.raises(RasterError, match=r"`prefer` is 'oldest'"):
        raster_coverage(grid_zones(), tiles, ndvi_threshold=0.3, prefer="oldest")


def _done(geom: shapely.Geometry | None) -> Future[shapely.Geometry | None]:
    future: Future[shapely.Geometry | None] = Future()
    future.set_result(geom)
    return future


def test_an_extra_zone_is_one_more_zone_in_the_same_pass(seam_tiles: tuple[Path, Path]) -> None:
    # the extra zone (the union, as the bureau's total uses it) crosses both UTM tiles: planned
    # on its own and merged source by source, it gives exactly what one more zone gives
    zones = seam_zones()
    union = shapely.union_all(zones.geometry.values)
    one_more = pd.concat(
        [zones, gpd.GeoDataFrame({"id": [EXTRA_ZONE]}, geometry=[union], crs=zones.crs)],
        ignore_index=True,
    )
    want = raster_coverage(one_more, list(seam_tiles), ndvi_threshold=0.3)
    got = raster_coverage(zones, list(seam_tiles), ndvi_threshold=0.3, extra=_done(union))
    assert got.index.tolist() == [0, 1, 2, EXTRA_ZONE]
    assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=0)
    # an extra zone that comes out None adds no row
    alone = raster_coverage(zones, list(seam_tiles), ndvi_threshold=0.3, extra=_done(None))
    pd.testing.assert_frame_equal(alone, got.iloc[:3], check_index_type=False)
