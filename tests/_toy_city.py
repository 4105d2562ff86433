"""A tiny hand-made city for allocation and project tests.

Two 10 km × 20 km districts meet on x = 0 in a Lambert azimuthal equal-area
CRS centred near Lanzhou (areas in it are exact ellipsoidal areas, so square
kilometres can be worked out by hand):

* park ``a`` (tier 3): x -2..2 km, y 0..2 km: 4 km² in each district;
* park ``b`` (tier 8): x 3..5 km, y 0..2 km: 4 km², all in ``east``;
* wetland ``w1``: x 1..3, y 1..3: takes the 1 km² north-east corner of ``a``
  and only touches ``b`` along x = 3;
* greening zones ``g1`` (x -3..-1, y -1..0.5: 0.5 km² of ``a`` in ``west``) and
  ``g2`` (x 1.5..2.5, y 1.5..2.5: 0.25 km² of ``a``, inside the wetland);
* the river runs north-south along x = 4 km, through the middle of ``b``.

:func:`write_layers` writes the same world, with the catalogue's fields, to
files in EPSG:4326 plus a TOML config pointing the layer ids at them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from shapely import LineString, Point, box

LAEA = "+proj=laea +lat_0=36.1 +lon_0=103.8 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
KM = 1000.0


def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["west", "east"],
            "adcode": ["620102", "620103"],
            "name_zh": ["西区", "东区"],
            "name_en": ["West", "East"],
            "kind": ["district", "district"],
        },
        geometry=[box(-10 * KM, -10 * KM, 0, 10 * KM), box(0, -10 * KM, 10 * KM, 10 * KM)],
        crs=LAEA,
    )


def parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "name_zh": ["甲园", "乙园"],
            "name_en": ["Park A", "Park B"],
            "tier": [3, 8],
            "parent": ["", ""],
            "district": ["west", "east"],
        },
        geometry=[box(-2 * KM, 0, 2 * KM, 2 * KM), box(3 * KM, 0, 5 * KM, 2 * KM)],
        crs=LAEA,
    )


def wetlands() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["w1"], "name_zh": ["湿地"], "name_en": ["Wetland"], "green_class": ["EG13"]},
        geometry=[box(1 * KM, 1 * KM, 3 * KM, 3 * KM)],
        crs=LAEA,
    )


def greening() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["g1", "g2"],
            "name_zh": ["绿一", "绿二"],
            "name_en": ["Green 1", "Green 2"],
            "green_class": ["EG2", "EG12"],
        },
        geometry=[
            box(-3 * KM, -1 * KM, -1 * KM, 0.5 * KM),
            box(1.5 * KM, 1.5 * KM, 2.5 * KM, 2.5 * KM),
        ],
        crs=LAEA,
    )


def river() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["yellow_river"], "name_zh": ["黄河"], "name_en": ["Yellow River"]},
        geometry=[LineString([(4 * KM, -9 * KM), (4 * KM, 9 * KM)])],
        crs=LAEA,
    )


def projects() -> gpd.GeoDataFrame:
    """Three points and one line.

    ``plant`` (industrial) sits inside the wetland's part of park ``a``;
    ``school`` (not industrial) sits in the same spot; ``depot`` (industrial)
    sits outside both parks in ``west``; ``pipeline`` (industrial) runs west to
    east along y = 5 km, crossing the district line and the river.
    """
    return gpd.GeoDataFrame(
        {
            "id": ["plant", "school", "depot", "pipeline"],
            "name_zh": ["工厂", "学校", "仓库", "管道"],
            "name_en": ["Plant", "School", "Depot", "Pipeline"],
            "category": ["industry", "services", "logistics", "energy"],
            "industrial": [True, False, True, True],
            "unit": ["市工信委", "市教育局", "市工信委; 市发改委", "市发改委"],
            "unit_en": ["MIIT", "Education", "MIIT; NDRC", "NDRC"],
            "plan_section": ["三(一)1", "三(三)3", "三(一)6", "三(一)4"],
            "location_confidence": ["high", "medium", "low", "medium"],
            "park": ["a", "", "a", ""],
        },
        geometry=[
            Point(1.5 * KM, 1.5 * KM),
            Point(1.5 * KM, 1.5 * KM),
            Point(-6 * KM, -3 * KM),
            LineString([(-3 * KM, 5 * KM), (7 * KM, 5 * KM)]),
        ],
        crs=LAEA,
    )


def new_area() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["new_area"],
            "name_zh": ["新区"],
            "name_en": ["New Area"],
            "kind": ["new_area"],
            "parent": [""],
        },
        geometry=[box(-8 * KM, -8 * KM, -4 * KM, -1 * KM)],
        crs=LAEA,
    )


LAYERS = {
    "districts": districts,
    "parks": parks,
    "wetlands": wetlands,
    "greening_zones": greening,
    "yellow_river": river,
    "projects": projects,
    "new_area": new_area,
}


def write_layers(folder: Path) -> Path:
    """Write the toy city as GeoJSON in EPSG:4326 and return a TOML config naming them."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[layers]"]
    for layer_id, make in LAYERS.items():
        gdf = make().assign(source="toy city", accuracy="exact", accuracy_m=0.0, schematic=True)
        path = folder / f"{layer_id}.geojson"
        gdf.to_crs(4326).to_file(path, driver="GeoJSON")
        lines.append(f'{layer_id} = "{path.name}"')
    config = folder / "lzgis.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
