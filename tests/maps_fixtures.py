"""Tiny hand-made layers and analysis results for the map tests (imported by tests/test_maps_*.py).

Two 0.1° districts at Lanzhou, parks of both tiers (one parent with a child),
a greening zone, a wetland, the river, three projects (two points, one line)
and results in the shapes the analyses return. ``XSS`` is planted as a park
name, a project unit and a conflict rule.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point, box

from lzgis.publish import Inputs

XSS = "<img src=x onerror=alert(1)>"
XSS2 = '"><script>alert(2)</script>'
P1 = (103.83, 36.03)  # the industry project


def _layer(ids: list[str], geoms: list[object], **cols: list[object]) -> gpd.GeoDataFrame:
    n = len(ids)
    data: dict[str, list[object]] = {
        "id": list(ids),
        "name_zh": [f"名{i}" for i in ids],
        "name_en": [f"Name {i}" for i in ids],
        "source": ["test fixture"] * n,
        "accuracy": ["about 1 km"] * n,
        "accuracy_m": [1000.0] * n,
        "schematic": [True] * n,
    }
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


def layers() -> dict[str, gpd.GeoDataFrame]:
    parks = _layer(
        ["hitech_zone", "hitech_yantan", "jiuzhou"],
        [
            box(103.82, 36.02, 103.86, 36.06),
            box(103.82, 36.02, 103.84, 36.04),
            box(103.72, 36.02, 103.74, 36.04),
        ],
        tier=[3, 3, 8],
        parent=["", "hitech_zone", ""],
        district=["chengguan", "chengguan", "qilihe"],
        industries=["电子", "电子", "物流"],
        industries_en=["electronics", "electronics", "logistics"],
        targets=["100亿", "50亿", "10亿"],
        plan_section=["三(二)2"] * 3,
        area_km2_stated=[np.nan, 1.0, 2.0],
    )
    parks.loc[parks["id"] == "jiuzhou", "name_zh"] = XSS
    greening = _layer(
        ["south_hills"],
        [box(103.70, 35.95, 103.90, 36.00)],
        green_class=["EG2"],
        zone_kind=["two_mountains_south"],
        plan_section=["三(四)1"],
    )
    greening["name_en"] = [XSS2]
    return {
        "districts": _layer(
            ["chengguan", "qilihe"],
            [box(103.80, 36.00, 103.90, 36.10), box(103.70, 36.00, 103.80, 36.10)],
            adcode=["620102", "620103"],
            kind=["district", "district"],
            schematic=[False, False],
        ),
        "parks": parks,
        "greening_zones": greening,
        "wetlands": _layer(
            ["w1"],
            [box(103.75, 36.05, 103.76, 36.06)],
            green_class=["EG13"],
            plan_section=["三(四)3"],
        ),
        "yellow_river": _layer(
            ["yellow_river"], [LineString([(103.70, 36.06), (103.90, 36.07)])], schematic=[False]
        ),
        "projects": projects_layer(),
    }


def projects_layer() -> gpd.GeoDataFrame:
    return _layer(
        ["p1", "p2", "road"],
        [Point(*P1), Point(103.73, 36.03), LineString([(103.70, 36.00), (103.80, 36.05)])],
        category=["industry", "ecology", "transport"],
        industrial=[True, False, False],
        unit=[XSS, "市林业局", "市交通委"],
        unit_en=["Municipal Industry Bureau", "Forestry Bureau", "Transport Commission"],
        plan_section=["三(二)1"] * 3,
        location_confidence=["high", "low", "medium"],
        park=["hitech_yantan", "", ""],
    )


def results(lay: dict[str, gpd.GeoDataFrame]) -> Inputs:
    report = gpd.GeoDataFrame(
        {
            "zone": ["city", "chengguan", "qilihe", "hitech_yantan"],
            "zone_zh": ["兰州市", "城关区", "七里河区", "雁滩园区"],
            "zone_en": ["Lanzhou", "Chengguan", "Qilihe", "Yantan park"],
            "area_km2": [200.0, 100.0, 100.0, 4.0],
            "green_km2": [50.0, 40.0, 10.0, 1.0],
            "coverage": [0.25, 0.40, 0.10, np.nan],
            "unknown": [0.0, 0.0, 0.0, 1.0],
            "target": [0.30, 0.35, 0.35, np.nan],
            "passed": pd.array([False, True, False, pd.NA], dtype="boolean"),
            "shortfall_km2": [10.0, 0.0, 25.0, np.nan],
        },
        geometry=[
            box(103.70, 36.00, 103.90, 36.10),
            box(103.80, 36.00, 103.90, 36.10),
            box(103.70, 36.00, 103.80, 36.10),
            box(103.82, 36.02, 103.84, 36.04),
        ],
        crs="EPSG:4326",
    )
    conflicts = gpd.GeoDataFrame(
        {
            "park_or_project_id": ["hitech_yantan"],
            "protected_layer": ["wetlands"],
            "protected_id": ["w1"],
            "area_km2": [0.01],
            "rule": [XSS],
        },
        geometry=[box(103.83, 36.03, 103.835, 36.035)],
        crs="EPSG:4326",
    )
    projects = lay["projects"].copy()
    projects["district"] = ["chengguan", "qilihe", "qilihe"]
    projects["park"] = ["hitech_yantan", "outside the parks", "outside the parks"]
    projects["zones"] = ["city; chengguan", "city; qilihe", "city"]
    projects["dist_river_km"] = [3.3, 2.5, 0.0]
    projects["dist_park_edge_km"] = [0.5, 1.0, 2.0]
    allocation = pd.DataFrame(
        {
            "row_kind": ["part", "park_total", "park_total", "city_total"],
            "park_id": ["hitech_yantan", "hitech_yantan", "jiuzhou", ""],
            "district_id": ["chengguan", "", "", ""],
            "area_km2": [4.9, 4.9, 4.9, 9.8],
            "constrained_km2": [0.01, 0.01, 0.0, 0.01],
            "developable_km2": [4.89, 4.89, 4.9, 9.79],
        }
    )
    return Inputs(
        layers=lay, report=report, allocation=allocation, conflicts=conflicts, projects=projects
    )
