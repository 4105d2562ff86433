"""Criteria files: every key checked, one line per error naming the file and key."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, box

from lzgis._errors import ValidationError
from lzgis.suitability._file import read_criteria

ROAD = """
[[criterion]]
name = "road"
layer = "road.geojson"
direction = "closer"
max_distance_m = 1000
"""
DIRECT = "[weights]\ndirect = { road = 1 }\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    gpd.GeoDataFrame(
        {"id": ["rd1", "rd2"], "kind": ["road", "rail"]},
        geometry=[
            LineString([(103.6, 36.4), (103.7, 36.4)]),
            LineString([(103.6, 36.5), (103.7, 36.5)]),
        ],
        crs=4326,
    ).to_file(tmp_path / "road.geojson")
    gpd.GeoDataFrame({"id": ["x"]}, geometry=[box(103.6, 36.4, 103.7, 36.5)], crs=4326).to_file(
        tmp_path / "extent.geojson"
    )
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (DIRECT, r"`criterion` is missing"),
        (ROAD.replace('"closer"', '"nearer"') + DIRECT, r"`criterion\[1\].direction` is 'nearer'"),
        (ROAD.replace("1000", "-5") + DIRECT, r"max_distance_m` is -5, expected a positive number"),
        (ROAD + ROAD + DIRECT, r"'road' is used twice"),
        (
            ROAD + "[weights]\ndirect = { road = 1 }\nahp = [[1]]\n",
            "exactly one of `direct` or `ahp`",
        ),
        (ROAD + "[weights]\nahp = [[1, 2], [0.5, 1]]\n", r"is not 1 x 1"),
        (ROAD + "[weights]\ndirect = { rail = 1 }\n", "names rail but the criteria are road"),
        ("cell_m = 0\n" + ROAD + DIRECT, r"`cell_m` is 0"),
        (ROAD + DIRECT + "[slope]\nmax_deg = 10\n", r"`slope.dem` is missing"),
        (ROAD.replace("name", "nom", 1) + DIRECT, r"unknown key\(s\) nom"),
        (ROAD + DIRECT + "[allocation]\npark = 'p'\n", r"`allocation.area_km2` is missing"),
    ],
)
def test_bad_criteria_files_say_which_key(folder: Path, text: str, pattern: str) -> None:
    path = write(folder, text)
    with pytest.raises(ValidationError, match=pattern) as info:
        read_criteria(path)
    msg = str(info.value)
    assert msg.startswith(str(path)) and "fix:" in msg and "\n" not in msg
