"""Tests for lzgis.greening: polygon coverage, the standard metrics, targets and check.

Fixtures are squares in metres in a Lambert equal-area CRS at Lanzhou, so
every expected value is computed by hand from side lengths.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from lzgis import greening
from lzgis._errors import CRSError, LzgisError, ValidationError

LAEA = "+proj=laea +lat_0=36 +lon_0=103.8 +ellps=WGS84 +units=m +no_defs"
REL = 1e-5


def frame(geoms: list[shapely.Geometry], **cols: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=geoms, crs=LAEA)


@pytest.fixture
def km_zone() -> gpd.GeoDataFrame:
    """One 1 km x 1 km zone."""
    return frame([box(0, 0, 1000, 1000)], name=["z"])


# --- coverage from polygons -------------------------------------------------------------


def test_half_covered_zone_gives_one_half(km_zone: gpd.GeoDataFrame) -> None:
    green = frame([box(0, 0, 500, 1000)])
    out = greening.coverage_from_polygons(km_zone, green, zone_field="name", extent=km_zone)
    row = out.iloc[0]
    assert row["zone"] == "z"
    assert row["area_km2"] == pytest.approx(1.0, rel=REL)
    assert row["green_km2"] == pytest.approx(0.5, rel=REL)
    assert row["coverage"] == pytest.approx(0.5, rel=REL)
    assert row["unknown"] == 0.0
    assert list(out.columns[:6]) == greening.COVERAGE_COLUMNS


def test_half_covered_in_lon_lat() -> None:
    zones = gpd.GeoDataFrame({"n": ["z"]}, geometry=[box(103.80, 36.0, 103.82, 36.01)], crs=4326)
    green = gpd.GeoDataFrame(geometry=[box(103.80, 36.0, 103.81, 36.01)], crs=4326)
    out = greening.coverage_from_polygons(zones, green, zone_field="n", extent=zones)
    assert out["coverage"].iloc[0] == pytest.approx(0.5, abs=1e-6)


def test_overlapping_green_counts_once(km_zone: gpd.GeoDataFrame) -> None:
    # 600 m + 400 m wide strips overlapping by 200 m: union 800 m wide, sum would be 1000 m
    green = frame([box(0, 0, 600, 1000), box(400, 0, 800, 1000)])
    out = greening.coverage_from_polygons(km_zone, green, zone_field="name")
    assert out["green_km2"].iloc[0] == pytest.approx(0.8, rel=REL)
    # the same strips as two separate layers: still the union
    layers = [frame([box(0, 0, 600, 1000)]), frame([box(400, 0, 800, 1000)])]
    out2 = greening.coverage_from_polygons(km_zone, layers, zone_field="name")
    assert out2["green_km2"].iloc[0] == pytest.approx(0.8, rel=REL)


def test_green_outside_zone_and_across_zones() -> None:
    zones = frame([box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], name=["a", "b"])
    green = frame([box(750, 0, 1500, 1000), box(3000, 0, 4000, 1000)])
    out = greening.coverage_from_polygons(zones, green, zone_field="name", extent=zones)
    assert out["coverage"].tolist() == pytest.approx([0.25, 0.5], rel=REL)
    assert list(out.index) == list(zones.index)


def test_green_in_another_crs_is_reprojected(km_zone: gpd.GeoDataFrame) -> None:
    green = frame([box(0, 0, 250, 1000)]).to_crs(4326)
    out = greening.coverage_from_polygons(km_zone, green, zone_field="name", extent=km_zone)
    assert out["coverage"].iloc[0] == pytest.approx(0.25, rel=1e-4)
    assert out.crs.equals(km_zone.crs)


def test_no_crs_and_missing_field_are_errors(km_zone: gpd.GeoDataFrame) -> None:
    bare = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="no CRS"):
        greening.coverage_from_polygons(km_zone, bare, zone_field="name")
    with pytest.raises(ValidationError, match=r"`districts`.*found name"):
        greening.coverage_from_polygons(km_zone, frame([box(0, 0, 1, 1)]), zone_field="districts")


def test_no_green_in_a_surveyed_zone_is_zero_but_without_a_survey_unknown(
    km_zone: gpd.GeoDataFrame,
) -> None:
    out = greening.coverage_from_polygons(km_zone, [], zone_field="name", extent=km_zone)
    assert (out["coverage"].iloc[0], out["unknown"].iloc[0]) == (0.0, 0.0)
    out = greening.coverage_from_polygons(km_zone, [], zone_field="name")
    assert np.isnan(out["coverage"].iloc[0])
    assert (out["unknown"].iloc[0], out["data_km2"].iloc[0], out["green_km2"].iloc[0]) == (
        1.0,
        0.0,
        0.0,
    )


def test_outside_the_green_layers_extent_is_unknown_not_zero() -> None:
    # green layer extent (its bounding box): x 0..2000; zone a inside, b half out, c wholly out
    zones = frame(
        [box(0, 0, 1000, 1000), box(1500, 0, 2500, 1000), box(5000, 0, 6000, 1000)],
        name=["a", "b", "c"],
    )
    green = frame([box(0, 0, 250, 1000), box(1750, 0, 2000, 1000)])
    out = greening.coverage_from_polygons(zones, green, zone_field="name")
    # a: 0.25 km2 of green in 1 km2 surveyed; b: 0.25 of 0.501 surveyed (the extent's edge
    # counts 1 m out, the drawing precision), the rest unknown
    assert out["data_km2"].tolist() == pytest.approx([1.0, 0.501, 0.0], rel=REL, abs=1e-12)
    assert out["green_km2"].tolist() == pytest.approx([0.25, 0.25, 0.0], rel=REL, abs=1e-12)
    assert out["unknown"].tolist() == pytest.approx([0.0, 0.499, 1.0], rel=REL)
    assert out["coverage"].iloc[:2].tolist() == pytest.approx([0.25, 0.25 / 0.501], rel=REL)
    assert np.isnan(out["coverage"].iloc[2])  # no data: empty, never 0
    # a declared survey area replaces the bounding boxes: c is surveyed and has no green
    survey = frame([box(0, 0, 6000, 1000)])
    out = greening.coverage_from_polygons(zones, green, zone_field="name", extent=survey)
    assert out["unknown"].tolist() == [0.0, 0.0, 0.0]
    assert out["coverage"].tolist() == pytest.approx([0.25, 0.25, 0.0], rel=REL)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 900), st.integers(0, 900), st.integers(1, 600), st.integers(1, 600)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_union_not_sum_property(boxes: list[tuple[int, int, int, int]]) -> None:
    zone = frame([box(0, 0, 1000, 1000)], name=["z"])
    geoms = [box(x, y, x + w, y + h) for x, y, w, h in boxes]
    out = greening.coverage_from_polygons(zone, frame(geoms), zone_field="name")
    inside = shapely.intersection(shapely.union_all(geoms), box(0, 0, 1000, 1000)).area / 1e6
    # edges are densified when projected to the equal-area CRS: about 1 cm per km of edge
    assert out["green_km2"].iloc[0] == pytest.approx(inside, rel=1e-4, abs=1e-7)
    assert 0.0 <= out["coverage"].iloc[0] <= 1.0


# --- green space ratio --------------------------------------------------------------------


def test_green_space_ratio_cap_hand_computed(km_zone: gpd.GeoDataFrame) -> None:
    # inside: G1 strip 200 m x 1000 m = 0.2 km2; adjoining EG 0.5 km2 -> capped at 20% of 0.2 = 0.04
    green = frame(
        [box(0, 0, 200, 1000), box(1000, 0, 1500, 1000), box(2000, 0, 3000, 1000)],
        green_class=["G11", "EG2", "EG12"],
    )
    row = greening.green_space_ratio(km_zone, green, zone_field="name").iloc[0]
    assert row["green_inside_km2"] == pytest.approx(0.2, rel=REL)
    assert row["regional_adjoining_km2"] == pytest.approx(0.5, rel=REL)  # the far EG12 is excluded
    assert row["regional_counted_km2"] == pytest.approx(0.04, rel=REL)
    assert bool(row["capped"])
    assert row["green_space_ratio"] == pytest.approx(0.24, rel=REL)


def test_green_space_ratio_below_cap_and_other_classes(km_zone: gpd.GeoDataFrame) -> None:
    # adjoining EG 10 m x 1000 m = 0.01 km2 < cap 0.04: counted in full; G2 outside never counts
    green = frame(
        [box(0, 0, 200, 1000), box(-10, 0, 0, 1000), box(0, -300, 1000, 0)],
        green_class=["G1", "EG3", "G2"],
    )
    row = greening.green_space_ratio(km_zone, green, zone_field="name").iloc[0]
    assert row["regional_counted_km2"] == pytest.approx(0.01, rel=1e-4)
    assert not bool(row["capped"])
    assert row["green_space_ratio"] == pytest.approx(0.21, rel=1e-4)


def test_green_space_ratio_adjoin_distance(km_zone: gpd.GeoDataFrame) -> None:
    green = frame([box(0, 0, 500, 1000), box(1050, 0, 1060, 1000)], green_class=["G1", "EG2"])
    touching = greening.green_space_ratio(km_zone, green, zone_field="name").iloc[0]
    near = greening.green_space_ratio(km_zone, green, zone_field="name", adjoin_m=100).iloc[0]
    assert touching["regional_counted_km2"] == 0.0
    assert near["regional_counted_km2"] == pytest.approx(0.01, rel=1e-4)
    assert near["green_space_ratio"] == pytest.approx(0.51, rel=1e-4)


def test_green_space_ratio_needs_class_field(km_zone: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValidationError, match="green_class"):
        greening.green_space_ratio(km_zone, frame([box(0, 0, 1, 1)]), zone_field="name")


# --- per-capita park green ---------------------------------------------------------------


def test_per_capita_park_green(km_zone: gpd.GeoDataFrame) -> None:
    # G11 100 m x 1000 m and an overlapping G14 (half inside the G11) = 0.1 + 0.05 km2; G2 ignored
    green = frame(
        [box(0, 0, 100, 1000), box(50, 0, 150, 1000), box(500, 0, 1000, 1000)],
        green_class=["G11", "G14", "G2"],
    )
    by_map = greening.per_capita_park_green(km_zone, green, {"z": 15_000}, zone_field="name")
    assert by_map["park_green_km2"].iloc[0] == pytest.approx(0.15, rel=REL)
    assert by_map["per_capita_park_green_m2"].iloc[0] == pytest.approx(10.0, rel=REL)
    zones = km_zone.assign(pop=[30_000])
    by_col = greening.per_capita_park_green(zones, green, "pop", zone_field="name")
    assert by_col["per_capita_park_green_m2"].iloc[0] == pytest.approx(5.0, rel=REL)


def test_per_capita_population_errors(km_zone: gpd.GeoDataFrame) -> None:
    green = frame([box(0, 0, 100, 1000)], green_class=["G1"])
    with pytest.raises(ValidationError, match="no value for zone"):
        greening.per_capita_park_green(km_zone, green, {"other": 1}, zone_field="name")
    with pytest.raises(ValidationError, match="positive"):
        greening.per_capita_park_green(km_zone, green, {"z": 0}, zone_field="name")


# --- service radius ----------------------------------------------------------------------


@pytest.fixture
def homes_and_parks() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    homes = frame([box(0, 0, 1000, 1000)])
    parks = frame(
        [
            box(-100, 0, 0, 1000),  # 100,000 m2 -> serves 500 m: x in [0, 500]
            box(1000, 0, 1004, 1000),  # 4,000 m2 -> 300 m under the 2,000 m2 rule: x in [700, 1000]
            box(400, -50, 420, -10),  # 800 m2: too small for any rule
        ]
    )
    return homes, parks


def test_service_radius_hand_computed(
    km_zone: gpd.GeoDataFrame, homes_and_parks: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    homes, parks = homes_and_parks
    row = greening.service_radius_coverage(km_zone, homes, parks, zone_field="name").iloc[0]
    assert row["residential_km2"] == pytest.approx(1.0, rel=REL)
    assert row["served_km2"] == pytest.approx(0.8, rel=1e-4)
    assert row["service_radius_coverage"] == pytest.approx(0.8, rel=1e-4)


def test_service_radius_rules_are_configurable(
    km_zone: gpd.GeoDataFrame, homes_and_parks: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    homes, parks = homes_and_parks
    only_big = greening.service_radius_coverage(
        km_zone, homes, parks, zone_field="name", rules=[(5000.0, 500.0)]
    )
    assert only_big["service_radius_coverage"].iloc[0] == pytest.approx(0.5, rel=1e-4)
    small_serve_more = greening.service_radius_coverage(
        km_zone, homes, parks, zone_field="name", rules=[(5000.0, 500.0), (500.0, 300.0)]
    )
    # the 800 m2 park now serves 300 m from y = -10: a band up to y = 290 and a rounded
    # cap, but its x-range [100, 720] overlaps what the others already serve except x in (500, 700)
    assert small_serve_more["served_km2"].iloc[0] > 0.8
    no_homes = greening.service_radius_coverage(
        km_zone, frame([box(5000, 5000, 5001, 5001)]), parks, zone_field="name"
    )
    assert math.isnan(no_homes["service_radius_coverage"].iloc[0])


# --- forest coverage ---------------------------------------------------------------------


def test_forest_coverage_options(km_zone: gpd.GeoDataFrame) -> None:
    forest = frame([box(0, 0, 200, 1000)])
    shrub = frame([box(100, 0, 400, 1000)])  # overlaps the forest by 100 m
    wet = frame([box(600, 0, 750, 1000)])  # 0.15 km2 = 15% of the zone
    plain = greening.forest_coverage(km_zone, forest, zone_field="name").iloc[0]
    assert plain["forest_coverage"] == pytest.approx(0.2, rel=REL)
    shrubs = greening.forest_coverage(
        km_zone, forest, zone_field="name", shrubland=shrub, count_shrubland=True
    ).iloc[0]
    assert shrubs["forest_km2"] == pytest.approx(0.4, rel=REL)
    not_counted = greening.forest_coverage(km_zone, forest, zone_field="name", shrubland=shrub)
    assert not_counted["forest_coverage"].iloc[0] == pytest.approx(0.2, rel=REL)
    deducted = greening.forest_coverage(
        km_zone,
        forest,
        zone_field="name",
        shrubland=shrub,
        count_shrubland=True,
        natural_wetlands=wet,
        wetland_deduction_above=0.05,
    ).iloc[0]
    assert deducted["deducted_km2"] == pytest.approx(0.10, rel=1e-4)
    assert deducted["land_km2"] == pytest.approx(0.90, rel=REL)
    assert deducted["forest_coverage"] == pytest.approx(0.4 / 0.9, rel=1e-4)
    small_wet = greening.forest_coverage(
        km_zone,
        forest,
        zone_field="name",
        natural_wetlands=frame([box(600, 0, 630, 1000)]),
        wetland_deduction_above=0.05,
    ).iloc[0]
    assert small_wet["deducted_km2"] == 0.0
    with pytest.raises(ValidationError, match="shrubland"):
        greening.forest_coverage(km_zone, forest, zone_field="name", count_shrubland=True)


# --- targets and check -------------------------------------------------------------------


def test_shipped_targets() -> None:
    plan = greening.load_targets("plan_2015").set_index("metric")
    assert plan.loc["greening_coverage", "target"] == pytest.approx(0.3112)
    assert "3112%" in plan.loc["greening_coverage", "note"]
    assert plan.loc["forest_coverage", "target"] == pytest.approx(0.16)
    assert not bool(plan.loc["park_industrial_value_added_share", "spatial"])
    every = greening.load_targets("all")
    forest_city = every[(every["scheme"] == "forest_city") & (every["metric"] == "forest_coverage")]
    assert forest_city["target"].iloc[0] == pytest.approx(0.20)  # ~300 mm rainfall band
    assert {"gb55014_2021", "garden_city_basic", "garden_city_upgraded", "eco_garden_city"} <= set(
        every["scheme"]
    )
    assert every["source"].str.len().min() > 0


def test_check_pass_fail_and_shortfall() -> None:
    results = pd.DataFrame(
        {
            "zone": ["a", "b", "c"],
            "coverage": [0.25, 0.5, np.nan],
            "data_km2": [10.0, 4.0, 0.0],
            "area_km2": [10.0, 4.0, 3.0],
        }
    )
    out = greening.check(results, "plan_2015")
    assert list(out.columns[:8]) == [
        "zone",
        "scheme",
        "metric",
        "value",
        "target",
        "op",
        "passed",
        "shortfall_km2",
    ]
    assert not bool(out["passed"].iloc[0])
    assert out["shortfall_km2"].iloc[0] == pytest.approx((0.3112 - 0.25) * 10.0)
    assert bool(out["passed"].iloc[1]) and out["shortfall_km2"].iloc[1] == 0.0
    assert pd.isna(out["passed"].iloc[2]) and math.isnan(out["shortfall_km2"].iloc[2])


def test_check_strict_op_and_per_capita_shortfall() -> None:
    results = pd.DataFrame(
        {
            "zone": ["at", "above", "low"],
            "per_capita_park_green_m2": [8.0, 8.01, 6.0],
            "population": [1e6, 1e6, 1e6],
        }
    )
    out = greening.check(results, "gb55014_2021")
    assert out["passed"].tolist() == [False, True, False]  # "> 8.0" is strict
    assert out["shortfall_km2"].tolist() == pytest.approx([0.0, 0.0, 2.0])


def test_user_targets_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        """
[schemes.bureau]
title = "Bureau 2030"
source = "bureau memo"
[[schemes.bureau.targets]]
metric = "greening_coverage"
value = 0.45
confirmed = true
[[schemes.bureau.targets]]
metric = "forest_coverage"
band_input = 500.0
bands = [{ below = 400.0, value = 0.20 }, { below = 800.0, value = 0.30 }, { value = 0.35 }]
""",
        encoding="utf-8",
    )
    table = greening.load_targets(path).set_index("metric")
    assert table.loc["greening_coverage", "target"] == 0.45
    assert table.loc["forest_coverage", "target"] == 0.30
    res = pd.DataFrame({"zone": ["a"], "coverage": [0.5], "area_km2": [1.0]})
    assert bool(greening.check(res, path)["passed"].iloc[0])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not toml [", "not valid TOML"),
        ("[other]\nx = 1\n", r"no \[schemes"),
        ('[[schemes.s.targets]]\nmetric = "greenness"\nvalue = 1\n', "unknown metric"),
        ('[[schemes.s.targets]]\nmetric = "forest_coverage"\n', "needs `value`"),
    ],
)
def test_bad_targets_files(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=match):
        greening.load_targets(path)


def test_unknown_scheme_and_no_matching_metric() -> None:
    with pytest.raises(LzgisError, match="plan_2015"):
        greening.load_targets("garden_city_platinum")
    res = pd.DataFrame({"zone": ["a"], "coverage": [0.5], "area_km2": [1.0]})
    with pytest.raises(ValidationError, match="no target matches"):
        greening.check(res, "gb55014_2021")
