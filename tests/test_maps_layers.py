"""Map-specific helpers: coverage classes, verdicts, zone groups, river strip, id names, numbers."""

from __future__ import annotations

import geopandas as gpd
import maps_fixtures as fx
import pandas as pd
import pytest
from shapely import LineString, box

from lzgis.areas import area_km2
from lzgis.maps._styles import number
from lzgis.maps.allocation import river_buffer
from lzgis.maps.greening import _group, coverage_color, verdict
from lzgis.maps.projects import named_ids


@pytest.mark.parametrize(
    ("coverage", "color"),
    [
        (0.0, "#f7fcf5"),
        (0.0999, "#f7fcf5"),
        (0.1, "#c7e9c0"),
        (0.3112, "#74c476"),
        (0.75, "#006d2c"),
        (None, "#bdbdbd"),
    ],
)
def test_coverage_classes(coverage: float | None, color: str) -> None:
    assert coverage_color(coverage) == color


def test_verdicts() -> None:
    assert [verdict(v) for v in (True, False, pd.NA, None, float("nan"))] == [
        "pass",
        "fail",
        "none",
        "none",
        "none",
    ]


def test_zones_grouped_by_kind_or_by_layer_ids() -> None:
    report = gpd.GeoDataFrame(
        {"zone": ["city", "chengguan", "jiuzhou", "south"]},
        geometry=[box(0, 0, 1, 1)] * 4,
        crs=4326,
    )
    assert _group(report, fx.layers()).tolist() == ["other", "districts", "parks", "other"]
    report["zone_kind"] = ["city", "district", "park", "two_mountains"]
    assert _group(report, {}).tolist() == ["other", "districts", "parks", "other"]


def test_river_strip_is_twice_the_buffer_wide() -> None:
    river = gpd.GeoDataFrame(
        {"schematic": [False]}, geometry=[LineString([(103.8, 36.0), (103.9, 36.0)])], crs=4326
    )
    strip = river_buffer(river, distance_m=500.0)
    length_km = 0.1 * 111.32 * 0.8090  # 0.1° of longitude at 36°N
    assert float(area_km2(strip).iloc[0]) == pytest.approx(
        length_km * 1.0 + 3.1416 * 0.25, rel=0.01
    )


def test_named_ids_and_numbers() -> None:
    parks = fx.layers()["parks"]
    assert named_ids(pd.Series(["hitech_yantan", "outside the parks", None]), parks) == [
        "名hitech_yantan / Name hitech_yantan",  # names, never the id
        "outside the parks",
        "",
    ]
    assert [number(1744.0), number(0.125, 2), number("x"), number(2.0, 0)] == [
        "1744",
        "0.12",
        "",
        "2",
    ]


def test_park_popups_get_the_allocation_totals() -> None:
    from lzgis.maps.allocation import park_rows

    rows = park_rows(fx.results(fx.layers()).allocation)
    assert sorted(rows) == ["hitech_yantan", "jiuzhou"]  # park_total rows only
    assert rows["hitech_yantan"] == [
        ("面积(km²)", "Area (km²)", "4.9"),
        ("受保护约束(km²)", "Protected (km²)", "0.01"),
        ("可开发(km²)", "Developable (km²)", "4.89"),
    ]
    assert park_rows(pd.DataFrame({"x": [1]})) == {}
