"""Project joins and distances, hand-computed on the WGS84 ellipsoid with pyproj.Geod."""

from __future__ import annotations

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely import LineString, Point, box

from lzgis import ValidationError
from lzgis.projects import by_unit, embedded_projects, line_lengths, locate

GEOD = Geod(ellps="WGS84")
M = 1e-3  # km: 1 m, far above the nearest-point error (mm at these sizes)


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000


@pytest.fixture
def world() -> dict[str, gpd.GeoDataFrame]:
    districts = gpd.GeoDataFrame(
        {"id": ["west", "east"], "adcode": ["620102", "620103"], "name_zh": ["西", "东"]},
        geometry=[box(103.7, 36.0, 103.8, 36.2), box(103.8, 36.0, 103.9, 36.2)],
        crs=4326,
    )
    parks = gpd.GeoDataFrame(
        {"id": ["kz", "k"], "parent": ["", "kz"]},
        geometry=[box(103.82, 36.08, 103.86, 36.12), box(103.82, 36.08, 103.86, 36.12)],
        crs=4326,
    )
    river = gpd.GeoDataFrame(
        {"id": ["yellow_river"]}, geometry=[LineString([(103.6, 36.0), (104.0, 36.0)])], crs=4326
    )
    wet = gpd.GeoDataFrame({"id": ["w1"]}, geometry=[box(103.83, 36.09, 103.85, 36.11)], crs=4326)
    new = gpd.GeoDataFrame({"id": ["nz"]}, geometry=[box(103.7, 36.0, 103.9, 36.2)], crs=4326)
    projects = gpd.GeoDataFrame(
        {
            "id": ["inside", "outside", "on_line", "road"],
            "name_zh": ["甲", "乙", "丙", "路"],
            "category": ["industry", "logistics", "services", "transport"],
            "unit": ["市工信委", "市工信委; 市发改委", "市教育局", "市交通局"],
            "park": ["", "k", "", ""],
        },
        geometry=[
            Point(103.84, 36.10),
            Point(103.75, 36.05),
            Point(103.80, 36.05),
            LineString([(103.77, 36.10), (103.85, 36.10)]),
        ],
        crs=4326,
    )
    return {
        "projects": projects,
        "districts": districts,
        "parks": parks,
        "river": river,
        "zones": {"new_area": new, "wetlands": wet},  # type: ignore[dict-item]
    }


def _locate(world: dict) -> pd.DataFrame:
    return locate(
        world["projects"],
        districts=world["districts"],
        parks=world["parks"],
        zones=world["zones"],
        river=world["river"],
    ).set_index("id")


def test_joins_district_park_and_zones(world: dict) -> None:
    got = _locate(world)
    assert got.loc["inside", "district"] == "east"
    assert got.loc["outside", "district"] == "west"
    # on the boundary: covered by both, the smallest adcode wins
    assert got.loc["on_line", "district"] == "west"
    # a line lists every district it crosses, longest stretch first
    assert got.loc["road", "district"] == "east, west"
    assert got.loc["inside", "park"] == "k"  # the sub-park, not its parent kz
    assert got.loc["outside", "park"] == "outside the parks"
    assert got.loc["road", "park"] == "k"
    assert got.loc["inside", "zones"] == "nz, w1"
    assert got.loc["outside", "zones"] == "nz"
    assert list(got.loc[:, "inside_park"]) == [True, False, False, True]
    assert got.loc["outside", "park_plan"] == "k"
    assert not got.loc["outside", "park_matches_plan"]
    assert pd.isna(got.loc["inside", "park_matches_plan"])


def test_boundary_rule_follows_the_adcode(world: dict) -> None:
    world["districts"]["adcode"] = ["620199", "620101"]
    assert _locate(world).loc["on_line", "district"] == "east"


def test_distances_are_geodesic(world: dict) -> None:
    got = _locate(world)
    # the river runs along the parallel 36°N: the nearest point is due south
    assert got.loc["inside", "dist_river_km"] == pytest.approx(
        _km(103.84, 36.10, 103.84, 36.0), abs=M
    )
    assert got.loc["outside", "dist_river_km"] == pytest.approx(
        _km(103.75, 36.05, 103.75, 36.0), abs=M
    )
    # inside k, the nearest edge is the west or east side (0.02° of longitude)
    assert got.loc["inside", "edge_park"] == "k"
    assert got.loc["inside", "dist_park_edge_km"] == pytest.approx(
        _km(103.84, 36.10, 103.82, 36.10), abs=M
    )
    # outside: measured to the park the plan ties it to; the nearest point is k's SW corner
    assert got.loc["outside", "edge_park"] == "k"
    assert got.loc["outside", "dist_park_edge_km"] == pytest.approx(
        _km(103.75, 36.05, 103.82, 36.08), abs=M
    )
    # no plan park: the nearest park
    assert got.loc["on_line", "edge_park"] == "k"
    assert got.loc["road", "dist_park_edge_km"] == 0.0  # crosses the edge


def test_line_lengths_per_district(world: dict) -> None:
    located = locate(
        world["projects"],
        districts=world["districts"],
        parks=world["parks"],
        zones={},
        river=world["river"],
    )
    lengths = line_lengths(located, world["districts"]).set_index("district_id")
    assert list(lengths.project_id.unique()) == ["road"]
    assert lengths.loc["west", "length_km"] == pytest.approx(
        _km(103.77, 36.10, 103.80, 36.10), rel=1e-9
    )
    assert lengths.loc["east", "length_km"] == pytest.approx(
        _km(103.80, 36.10, 103.85, 36.10), rel=1e-9
    )
    # the pieces add up to the line (to the geodesic's bulge off the parallel)
    assert lengths.length_km.sum() == pytest.approx(lengths.line_km.iloc[0], rel=1e-6)
    assert lengths.share_of_line.sum() == pytest.approx(1.0, rel=1e-6)


def test_line_outside_the_districts_gets_its_own_row(world: dict) -> None:
    road = world["projects"].iloc[[3]].set_geometry([LineString([(103.85, 36.1), (103.95, 36.1)])])
    got = line_lengths(road, world["districts"]).set_index("district_id")
    assert sorted(got.index) == ["east", "outside the districts"]
    assert got.loc["outside the districts", "length_km"] == pytest.approx(
        _km(103.9, 36.1, 103.95, 36.1), rel=1e-9
    )


def test_by_unit_splits_joined_units(world: dict) -> None:
    table = by_unit(_locate(world).reset_index())
    rows = {(r.unit, r.category): r for r in table.itertuples()}
    assert rows[("市工信委", "industry")].count == 1
    assert rows[("市工信委", "logistics")].project_ids == "outside"
    assert rows[("市工信委", "industry")].unit_total == 2
    assert rows[("市发改委", "logistics")].count == 1
    assert table["count"].sum() == 5  # four projects, one with two units
    assert list(table.unit) == sorted(table.unit)


def test_by_unit_keeps_english_names() -> None:
    table = by_unit(toy.projects())
    english = dict(zip(table.unit, table.unit_en, strict=True))
    assert english == {"市工信委": "MIIT", "市教育局": "Education", "市发改委": "NDRC"}


def test_toy_city_every_project_has_a_district() -> None:
    located = locate(
        toy.projects(),
        districts=toy.districts(),
        parks=toy.parks(),
        zones={"wetlands": toy.wetlands()},
        river=toy.river(),
    ).set_index("id")
    assert located.loc["plant", "park"] == "a" and located.loc["plant", "zones"] == "w1"
    assert located.loc["pipeline", "district"] == "east, west"  # 7 km east, 3 km west
    assert located.loc["pipeline", "dist_river_km"] == 0.0
    assert located.loc["plant", "dist_river_km"] == pytest.approx(2.5, rel=1e-3)
    assert located.crs.to_epsg() == 4326
    assert not (located.district == "outside the districts").any()


def test_locate_refuses_frames_without_ids(world: dict) -> None:
    with pytest.raises(ValidationError, match="`projects` lacks column"):
        locate(
            world["projects"].drop(columns="id"),
            districts=world["districts"],
            parks=world["parks"],
            zones={},
            river=world["river"],
        )


def test_embedded_projects_all_have_a_district() -> None:
    located = embedded_projects()
    assert len(located) > 0
    assert not (located.district == "outside the districts").any()
    assert (located.dist_river_km >= 0).all()
    assert set(located.columns) >= {
        "district",
        "park",
        "zones",
        "dist_river_km",
        "dist_park_edge_km",
    }


def test_a_point_just_outside_is_snapped_within_its_accuracy(world: dict) -> None:
    projects = world["projects"].assign(accuracy_m=[0.0, 0.0, 0.0, 0.0])
    stray = projects.iloc[[1]].assign(id="stray", accuracy_m=2000.0)
    far = projects.iloc[[1]].assign(id="far", accuracy_m=500.0)
    projects = pd.concat([projects, stray, far], ignore_index=True)
    projects.loc[4, "geometry"] = Point(103.69, 36.05)  # ~900 m west of the city
    projects.loc[5, "geometry"] = Point(103.69, 36.05)
    world["projects"] = gpd.GeoDataFrame(projects, crs=4326)
    got = _locate(world)
    gap = _km(103.69, 36.05, 103.70, 36.05)
    assert got.loc["stray", "district"] == "west"
    assert got.loc["stray", "district_gap_km"] == pytest.approx(gap, abs=M)
    assert got.loc["far", "district"] == "outside the districts"
    assert pd.isna(got.loc["far", "district_gap_km"])
    assert got.loc["inside", "district_gap_km"] == 0.0


def test_a_line_grazing_a_boundary_does_not_cross_it(world: dict) -> None:
    """A road ending 5 cm past the district line: one district, no 5 cm row."""
    graze = (
        world["projects"]
        .iloc[[3]]
        .set_geometry([LineString([(103.75, 36.15), (103.8000006, 36.15)])])
    )
    located = locate(
        graze, districts=world["districts"], parks=world["parks"], zones={}, river=world["river"]
    )
    assert located.district.iloc[0] == "west"
    got = line_lengths(located, world["districts"])
    assert list(got.district_id) == ["west"]
    assert got.length_km.iloc[0] == pytest.approx(got.line_km.iloc[0], rel=1e-12)


def test_embedded_line_projects_add_up_and_units_are_all_counted() -> None:
    from lzgis.layers import load

    located = embedded_projects()
    lengths = line_lengths(located, load("districts"))
    lines = located[located.geom_type.str.contains("LineString")]
    assert set(lengths.project_id) == set(lines.id)
    sums = lengths.groupby("project_id").length_km.sum()
    whole = lengths.groupby("project_id").line_km.first()
    assert sums.to_numpy() == pytest.approx(whole.to_numpy(), rel=1e-6)
    units = by_unit(located)
    every = {u.strip() for text in located.unit for u in text.split(";") if u.strip()}
    assert set(units.unit) == every
    assert units.groupby("unit").unit_total.first().sum() >= len(located)
