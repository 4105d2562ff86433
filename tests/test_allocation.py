"""Allocation table and conflicts on hand-computable squares (see tests/_toy_city.py)."""

from __future__ import annotations

import math

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from lzgis import CRSError, ValidationError
from lzgis.allocation import allocate, conflicts, embedded_allocation
from lzgis.areas import geodesic_area_m2

KM = toy.KM
REL = 1e-9


def _table(river_buffer_m: float = 200.0) -> pd.DataFrame:
    return allocate(
        toy.parks(),
        toy.districts(),
        constraints={"wetlands": toy.wetlands(), "greening_zones": toy.greening()},
        river=toy.river(),
        river_buffer_m=river_buffer_m,
    )


def _row(table: pd.DataFrame, kind: str, park: str, district: str) -> pd.Series:
    hit = table[
        (table.row_kind == kind) & (table.park_id == park) & (table.district_id == district)
    ]
    assert len(hit) == 1, (kind, park, district)
    return hit.iloc[0]


def test_two_squares_across_a_district_line_give_exact_areas() -> None:
    t = _table()
    west, east = _row(t, "part", "a", "west"), _row(t, "part", "a", "east")
    assert west.area_km2 == pytest.approx(4.0, rel=REL)
    assert east.area_km2 == pytest.approx(4.0, rel=REL)
    assert west.share_of_park == pytest.approx(0.5, rel=REL)
    assert west.share_of_district == pytest.approx(4 / 200, rel=REL)
    # wetland w1 takes the 1 km² NE corner; g1 takes 0.5 km² in the west
    assert (west.wetlands_km2, west.greening_zones_km2) == pytest.approx((0.0, 0.5), abs=1e-9)
    assert (east.wetlands_km2, east.greening_zones_km2) == pytest.approx((1.0, 0.25), rel=REL)
    # g2 lies inside the wetland: the union counts it once
    assert east.constrained_km2 == pytest.approx(1.0, rel=REL)
    assert east.developable_km2 == pytest.approx(3.0, rel=REL)
    total = _row(t, "park_total", "a", "(all)")
    assert (total.area_km2, total.constrained_km2, total.developable_km2) == pytest.approx(
        (8.0, 1.5, 6.5), rel=REL
    )
    # b only touches the wetland along x = 3: no area
    b = _row(t, "part", "b", "east")
    assert b.wetlands_km2 == 0.0
    assert set(t.loc[t.park_id == "b", "district_id"]) == {"east", "(all)"}


@pytest.mark.parametrize("width", [100.0, 200.0, 450.0])
def test_river_buffer_is_two_w_l_inside_the_park(width: float) -> None:
    b = _row(_table(width), "part", "b", "east")
    assert b.river_buffer_km2 == pytest.approx(2 * width * 2 * KM / 1e6, rel=1e-6)
    assert b.developable_km2 == pytest.approx(4.0 - 2 * width * 2 * KM / 1e6, rel=1e-6)
    assert b.river_buffer_m == width


def test_totals_per_district_tier_and_city() -> None:
    t = _table()
    east = _row(t, "district_total", "(all)", "east")
    assert east.area_km2 == pytest.approx(8.0, rel=REL)
    assert east.share_of_district == pytest.approx(8 / 200, rel=REL)
    assert east.constrained_km2 == pytest.approx(1.0 + 0.8, rel=REL)
    tiers = t[t.row_kind == "tier_total"].set_index("tier")
    assert tiers.loc[3, "area_km2"] == pytest.approx(8.0, rel=REL)
    assert tiers.loc[8, "area_km2"] == pytest.approx(4.0, rel=REL)
    city = t[t.row_kind == "city_total"].iloc[0]
    assert city.area_km2 == pytest.approx(12.0, rel=REL)
    assert city.share_of_city == pytest.approx(12 / 400, rel=REL)
    assert city.overlap_km2 == pytest.approx(0.0, abs=1e-9)
    assert list(t.is_total) == [k != "part" for k in t.row_kind]


def _assert_reconciles(t: pd.DataFrame) -> None:
    measures = [c for c in t.columns if c.endswith("_km2") and c != "overlap_km2"]
    parts = t[t.row_kind == "part"]
    # every park: its parts over the districts add up to it
    for pid, group in parts.groupby("park_id"):
        total = t[(t.row_kind == "park_total") & (t.park_id == pid)].iloc[0]
        for col in measures:
            assert group[col].sum() == pytest.approx(total[col], rel=REL, abs=1e-12), (pid, col)
    # every row: developable + constrained = area
    assert (t.developable_km2 + t.constrained_km2).to_numpy() == pytest.approx(
        t.area_km2.to_numpy(), rel=REL, abs=1e-12
    )
    leaves = parts[parts.leaf]
    for did, group in leaves.groupby("district_id"):
        total = t[(t.row_kind == "district_total") & (t.district_id == did)].iloc[0]
        for col in measures:
            assert group[col].sum() - (total.overlap_km2 if col == "area_km2" else 0) == (
                pytest.approx(total[col], rel=REL, abs=1e-12)
            )
    city = t[t.row_kind == "city_total"].iloc[0]
    districts = t[t.row_kind == "district_total"]
    tiers = t[t.row_kind == "tier_total"]
    for col in measures:
        assert districts[col].sum() == pytest.approx(city[col], rel=REL, abs=1e-12)
        assert tiers[col].sum() == pytest.approx(city[col], rel=REL, abs=1e-12)


def test_parts_reconcile_with_totals_on_the_toy_city() -> None:
    _assert_reconciles(_table())


@settings(max_examples=15, deadline=None)
@given(
    x0=st.floats(103.55, 103.75),
    y0=st.floats(35.95, 36.15),
    w=st.floats(0.02, 0.3),
    h=st.floats(0.02, 0.2),
    split=st.floats(103.6, 104.0),
)
def test_parts_reconcile_in_lon_lat(x0: float, y0: float, w: float, h: float, split: float) -> None:
    """Arbitrary boxes in lon/lat (reprojected, densified) still reconcile to 1e-9."""
    districts = gpd.GeoDataFrame(
        {"id": ["w", "e"]},
        geometry=[box(103.4, 35.8, split, 36.4), box(split, 35.8, 104.2, 36.4)],
        crs=4326,
    )
    parks = gpd.GeoDataFrame(
        {"id": ["p", "q"], "tier": [3, 8], "parent": ["", ""]},
        # q lies east of every p and sticks out of the districts
        geometry=[box(x0, y0, x0 + w, y0 + h), box(104.1, 36.2, 104.3, 36.3)],
        crs=4326,
    )
    wet = gpd.GeoDataFrame({"id": ["w"]}, geometry=[box(103.7, 36.0, 103.9, 36.1)], crs=4326)
    river = gpd.GeoDataFrame(
        {"id": ["r"]}, geometry=[LineString([(103.5, 36.05), (104.1, 36.25)])], crs=4326
    )
    t = allocate(parks, districts, constraints={"wetlands": wet}, river=river)
    _assert_reconciles(t)
    assert "outside the districts" in set(t.district_id)


def test_lon_lat_areas_agree_with_the_ellipsoid() -> None:
    """Tolerance from lzgis.areas: equal-area and geodesic agree within 0.1%."""
    parks = toy.parks().to_crs(4326)
    t = allocate(parks, toy.districts().to_crs(4326), constraints={})
    totals = t[t.row_kind == "park_total"].set_index("park_id").area_km2
    geodesic = geodesic_area_m2(parks).to_numpy() / 1e6
    assert totals.loc[["a", "b"]].to_numpy() == pytest.approx(geodesic, rel=1e-3)
    assert totals.loc["a"] == pytest.approx(8.0, rel=1e-3)


def test_parent_parks_are_not_double_counted() -> None:
    parent = toy.parks().iloc[[0]].assign(id="zone", parent="")
    west = toy.parks().iloc[[0]].assign(id="zone_w", parent="zone")
    west = west.set_geometry([box(-2 * KM, 0, 0, 2 * KM)], crs=toy.LAEA)
    east = west.assign(id="zone_e").set_geometry([box(0, 0, 2 * KM, 2 * KM)], crs=toy.LAEA)
    parks = pd.concat([parent, west, east, toy.parks().iloc[[1]]], ignore_index=True)
    t = allocate(parks, toy.districts(), constraints={"wetlands": toy.wetlands()})
    leaf = t[t.row_kind == "park_total"].set_index("park_id").leaf
    assert not leaf["zone"] and leaf["zone_w"] and leaf["zone_e"]
    totals = t[t.row_kind == "park_total"].set_index("park_id").area_km2
    assert totals["zone"] == pytest.approx(totals["zone_w"] + totals["zone_e"], rel=REL)
    city = t[t.row_kind == "city_total"].iloc[0]
    assert city.area_km2 == pytest.approx(12.0, rel=REL)  # not 20
    assert _row(t, "district_total", "(all)", "east").area_km2 == pytest.approx(8.0, rel=REL)
    _assert_reconciles(t)


def test_overlapping_leaf_parks_show_their_overlap() -> None:
    extra = toy.parks().iloc[[1]].assign(id="c").set_geometry([box(4 * KM, 1 * KM, 6 * KM, 3 * KM)])
    parks = pd.concat([toy.parks(), extra], ignore_index=True)
    t = allocate(parks, toy.districts(), constraints={})
    east = _row(t, "district_total", "(all)", "east")
    assert east.overlap_km2 == pytest.approx(1.0, rel=REL)  # b ∩ c = 1 km × 1 km
    assert east.area_km2 == pytest.approx(4 + 4 + 4 - 1, rel=REL)


def test_user_constraint_in_another_crs_and_bad_input() -> None:
    red = gpd.GeoDataFrame(
        {"id": ["r1"]}, geometry=[box(-2 * KM, 0, -1 * KM, 1 * KM)], crs=toy.LAEA
    )
    t = allocate(
        toy.parks(),
        toy.districts(),
        # 10 m vertices keep the edges straight through the UTM round trip
        constraints={
            "wetlands": toy.wetlands(),
            "red_line": red.set_geometry(red.segmentize(10)).to_crs(32648),
        },
    )
    west = _row(t, "part", "a", "west")
    assert west.red_line_km2 == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(CRSError, match="has no CRS"):
        allocate(
            toy.parks(),
            toy.districts(),
            constraints={"red": red.set_crs(None, allow_override=True)},
        )
    with pytest.raises(ValidationError, match="river_buffer_m"):
        allocate(toy.parks(), toy.districts(), constraints={}, river=toy.river(), river_buffer_m=-5)
    with pytest.raises(ValidationError, match="'river_buffer' is already used"):
        allocate(toy.parks(), toy.districts(), constraints={"river_buffer": red})
    with pytest.raises(ValidationError, match="lacks column"):
        allocate(toy.parks().drop(columns="id"), toy.districts(), constraints={})


def _features() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        pd.concat([toy.parks(), toy.projects()], ignore_index=True), crs=toy.LAEA
    )


def test_conflicts_flag_industrial_projects_and_park_overlaps() -> None:
    found = conflicts(
        _features(),
        {"wetlands": toy.wetlands(), "greening_zones": toy.greening()},
        river=toy.river(),
        river_buffer_m=200.0,
    )
    assert found.crs.to_epsg() == 4326
    assert list(found.columns[:7]) == [
        "park_or_project_id",
        "feature_kind",
        "name_zh",
        "name_en",
        "protected_layer",
        "protected_id",
        "area_km2",
    ]
    pairs = set(
        zip(found.park_or_project_id, found.protected_layer, found.protected_id, strict=True)
    )
    assert pairs == {
        ("a", "wetlands", "w1"),
        ("a", "greening_zones", "g1"),
        ("a", "greening_zones", "g2"),
        ("b", "river_buffer", "yellow_river"),
        ("plant", "wetlands", "w1"),
        ("plant", "greening_zones", "g2"),
        ("pipeline", "river_buffer", "yellow_river"),
    }  # the school is not industrial; the depot is clear; b only touches w1
    by = found.set_index(["park_or_project_id", "protected_id"])
    assert by.loc[("a", "w1"), "area_km2"] == pytest.approx(1.0, rel=1e-6)
    assert by.loc[("a", "g1"), "area_km2"] == pytest.approx(0.5, rel=1e-6)
    assert by.loc[("b", "yellow_river"), "area_km2"] == pytest.approx(0.8, rel=1e-6)
    assert by.loc[("pipeline", "yellow_river"), "length_km"] == pytest.approx(0.4, rel=1e-3)
    rule = by.loc[("pipeline", "yellow_river"), "rule"]
    assert "Yellow River protection band (200 m)" in rule and "三(一)1" in rule
    assert "industrial project inside a wetland (EG13)" in by.loc[("plant", "w1"), "rule"]
    assert by.loc[("plant", "w1")].geometry.geom_type == "Point"


def test_conflicts_skip_parent_parks_and_count_points_on_the_edge() -> None:
    parent = toy.parks().iloc[[0]].assign(id="zone")
    child = toy.parks().iloc[[0]].assign(parent="zone")
    edge = gpd.GeoDataFrame(
        {"id": ["kiln"], "industrial": ["true"]}, geometry=[Point(1 * KM, 2 * KM)], crs=toy.LAEA
    )
    feats = gpd.GeoDataFrame(pd.concat([parent, child, edge], ignore_index=True), crs=toy.LAEA)
    found = conflicts(feats, {"wetlands": toy.wetlands()})
    assert sorted(found.park_or_project_id) == ["a", "kiln"]
    assert (
        found.loc[found.park_or_project_id == "kiln", "rule"]
        .iloc[0]
        .startswith("industrial project inside a wetland")
    )
    user = conflicts(feats, {"red_line": toy.wetlands().drop(columns="green_class")})
    assert "protected layer `red_line`" in user.rule.iloc[0]


def test_conflicts_with_nothing_to_find_is_empty_and_typed() -> None:
    found = conflicts(toy.parks(), {"wetlands": toy.wetlands().iloc[0:0]})
    assert len(found) == 0 and found.crs.to_epsg() == 4326
    assert "rule" in found.columns


def test_embedded_allocation_reconciles() -> None:
    table, found = embedded_allocation()
    _assert_reconciles(table)
    parks = table[table.row_kind == "park_total"].set_index("park_id")
    assert (parks.area_km2 > 0).all()
    # parents are unions of their sub-parks
    for parent, group in parks[parks.parent != ""].groupby("parent"):
        assert group.area_km2.sum() == pytest.approx(parks.loc[parent, "area_km2"], rel=1e-6)
    assert found.crs.to_epsg() == 4326
    assert set(found.protected_layer) <= {"wetlands", "greening_zones", "river_buffer"}
    assert not math.isnan(table[table.row_kind == "city_total"].share_of_city.iloc[0])


def test_boundary_slivers_merge_into_the_largest_piece() -> None:
    """A park overshooting the district line by 1 cm: no 200 cm² row, nothing lost."""
    park = toy.parks().iloc[[1]].set_geometry([box(-0.01, 0, 2 * KM, 2 * KM)], crs=toy.LAEA)
    t = allocate(park, toy.districts(), constraints={})
    parts = t[t.row_kind == "part"]
    assert list(parts.district_id) == ["east"]
    assert parts.area_km2.iloc[0] == pytest.approx((2 * KM + 0.01) * 2 * KM / 1e6, rel=REL)
    wide = park.set_geometry([box(-20.0, 0, 2 * KM, 2 * KM)], crs=toy.LAEA)  # 400 m² is kept
    parts = allocate(wide, toy.districts(), constraints={}).query("row_kind == 'part'")
    assert list(parts.district_id) == ["west", "east"]
    assert parts.area_km2.iloc[0] == pytest.approx(20 * 2 * KM / 1e6, rel=REL)
