"""lzgis.tables: names instead of ids, percentages, km² to 0.01, missing stays "未知 / unknown"."""

from __future__ import annotations

import _toy_city as toy
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pandas.io.formats.style import Styler
from shapely import Point

from lzgis import tables
from lzgis.allocation import allocate
from lzgis.projects import locate

NAMES = {"west": "西区 / West", "east": "东区 / East", "a": "甲园 / Park A", "b": "乙园 / Park B"}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return allocate(
        toy.parks(),
        toy.districts(),
        constraints={"wetlands": toy.wetlands(), "greening_zones": toy.greening()},
        river=toy.river(),
        river_buffer_m=500.0,
    )


def _no_na(frame: pd.DataFrame) -> None:
    assert not frame.isna().any().any()
    text = " ".join(frame.astype(str).to_numpy().ravel())
    assert "nan" not in text.lower() and "<NA>" not in text and "None" not in text


def test_numbers_as_people_read_them() -> None:
    assert tables.percent(0.3112) == "31.12%"
    assert tables.percent(1) == "100.00%"
    assert tables.km2(1234.5678) == "1,234.57"
    assert tables.km2(0.004) == "0.00"
    for missing in (None, np.nan, pd.NA, float("inf")):
        assert tables.percent(missing) == tables.UNKNOWN == "未知 / unknown"
        assert tables.km2(missing) == tables.UNKNOWN


def test_parks_show_names_percentages_and_mark_parents(table: pd.DataFrame) -> None:
    parks = tables.parks(table).set_index("园区 / park")
    assert list(parks.index) == ["甲园 / Park A", "乙园 / Park B"]
    a = parks.loc["甲园 / Park A"]
    # park a: 8 km²; wetland 1 km² + greening 0.5 km² (g2 inside the wetland): 1.5 protected
    assert a["面积 km² / area"] == "8.00"
    assert a["受保护 km² / protected"] == "1.50"
    assert a["可开发 km² / developable"] == "6.50"
    assert a["可开发占比 / developable share"] == "81.25%"
    assert a["层级 / tier"] == "三大园区 / 3 major zones" and a["说明 / note"] == ""
    # park b: 4 km², the river band (2 x 500 m) through its middle takes 2 km²
    assert parks.loc["乙园 / Park B", "可开发 km² / developable"] == "2.00"
    _no_na(tables.parks(table))


def test_constraints_split_by_layer_and_counted_once(table: pd.DataFrame) -> None:
    cons = tables.constraints(table).set_index("园区 / park")
    assert list(cons.columns) == [
        "湿地 / wetlands km²",
        "绿化区 / greening zones km²",
        "黄河保护带 / river band km²",
        "合计(不重复) km² / all, counted once",
    ]
    assert cons.loc["甲园 / Park A"].tolist() == ["1.00", "0.75", "0.00", "1.50"]


def test_totals_are_split_and_have_no_na(table: pd.DataFrame) -> None:
    districts = tables.by_district(table)
    assert districts["区县 / district"].tolist() == ["西区 / West", "东区 / East"]
    # west: 4 km² of park a in a 200 km² district
    assert districts.iloc[0]["占区县 / share of district"] == "2.00%"
    tiers = tables.by_tier(table)
    assert tiers["层级 / tier"].tolist() == [
        "三大园区 / 3 major zones",
        "八个县区园区 / 8 county parks",
    ]
    city = tables.city(table)
    assert (
        city.iloc[0]["面积 km² / area"] == "12.00"
        and city.iloc[0]["园区重叠 km² / overlap"] == "0.00"
    )
    parts = tables.park_parts(table)
    assert parts["区县 / district"].tolist() == ["西区 / West", "东区 / East", "东区 / East"]
    assert parts["占园区 / share of park"].tolist() == ["50.00%", "50.00%", "100.00%"]
    for frame in (districts, tiers, city, parts):
        _no_na(frame)


def test_developable_by_band_and_a_change_that_does_not_apply(table: pd.DataFrame) -> None:
    wide = allocate(
        toy.parks(),
        toy.districts(),
        constraints={"wetlands": toy.wetlands(), "greening_zones": toy.greening()},
        river=toy.river(),
        river_buffer_m=1000.0,
    )
    band = tables.developable_by_band({1000.0: wide, 500.0: table}).set_index("园区 / park")
    assert list(band.columns) == [
        "可开发 km²,河带 500 米 / developable, 500 m band",
        "可开发 km²,河带 1000 米 / developable, 1000 m band",
        "变化 / change 500→1000 m",
    ]
    assert band.loc["乙园 / Park B"].tolist() == ["2.00", "0.00", "-100.0%"]
    assert band.loc["全部园区 / all parks"].tolist() == ["8.50", "6.50", "-23.5%"]
    # nothing developable at the narrowest band: no change to speak of, and not "unknown"
    zero = tables.developable_by_band({1000.0: wide, 2000.0: wide})
    assert zero.set_index("园区 / park").loc["乙园 / Park B"].iloc[-1] == tables.NOT_APPLICABLE


def test_greening_keeps_missing_data_visible_never_zero() -> None:
    report = pd.DataFrame(
        {
            "zone": ["chengguan", "yuzhong"],
            "zone_zh": ["城关区", "榆中县"],
            "zone_en": ["Chengguan", "Yuzhong"],
            "zone_kind": ["district", "district"],
            "area_km2": [220.0, 3300.0],
            "green_km2": [np.nan, 990.0],
            "coverage": [np.nan, 0.3],
            "unknown": [1.0, 0.0],
            "target": [0.3112, 0.3112],
            "passed": pd.array([pd.NA, False], dtype="boolean"),
            "shortfall_km2": [np.nan, 36.96],
        }
    )
    out = tables.greening(report)
    assert out.iloc[0].tolist() == [
        "城关区 / Chengguan",
        "区县 / district",
        "220.00",
        "未知 / unknown",
        "未知 / unknown",
        "100.00%",
        "31.12%",
        "未知 / unknown",
        "未知 / unknown",
    ]
    assert (
        out.iloc[1]["覆盖率 / coverage"] == "30.00%"
        and out.iloc[1]["结论 / verdict"] == "未达标 / fail"
    )
    assert out.iloc[1]["差额 km² / shortfall"] == "36.96"


def _located(parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return locate(
        toy.projects(),
        districts=toy.districts(),
        parks=parks,
        zones={"wetlands": toy.wetlands()},
        river=toy.river(),
    )


def test_projects_and_moves_show_names_not_ids() -> None:
    lookup = {
        **tables.names(
            {"districts": toy.districts(), "parks": toy.parks(), "wetlands": toy.wetlands()}
        )
    }
    assert {k: lookup[k] for k in NAMES} == NAMES
    before = _located(toy.parks())
    shown = tables.projects(before, lookup=lookup).set_index("项目 / project")
    assert shown.loc["仓库 / Depot", "园区 / park"] == "园区外 / outside the parks"
    assert shown.loc["管道 / Pipeline", "区县 / district"] == "东区 / East; 西区 / West"
    assert shown.loc["工厂 / Plant", "类别 / category"] == "工业 / industry"
    assert shown.loc["仓库 / Depot", "涉及区域 / zones"] == tables.NOT_APPLICABLE
    assert shown.loc["工厂 / Plant", "涉及区域 / zones"] == "湿地 / Wetland"
    own = tables.projects(before.assign(zones="red_line:r2"), lookup=lookup)
    assert set(own["涉及区域 / zones"]) == {"你的图层 red_line / your layer red_line: r2"}
    bigger = toy.parks()
    bigger.loc[0, "geometry"] = bigger.geometry.iloc[0].union(
        Point(-6 * toy.KM, -3 * toy.KM).buffer(500)
    )
    moved = tables.moved_projects(before, _located(bigger), lookup=lookup)
    assert moved.to_dict("records") == [
        {
            "项目 / project": "仓库 / Depot",
            "原园区 / park before": "园区外 / outside the parks",
            "新园区 / park after": "甲园 / Park A",
            "变化 / move": "园区外 → 园区内 / outside → inside",
        }
    ]
    assert tables.moved_projects(before, before, lookup=lookup).empty


def test_style_hides_the_index() -> None:
    styled = tables.style(pd.DataFrame({"面积 km² / area": ["1.00"], "名称 / name": ["甲"]}))
    assert isinstance(styled, Styler)
    page = styled.to_html()
    assert "1.00" in page and 'class="row_heading' not in page
