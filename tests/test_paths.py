"""Outputs never replace inputs, and ``PATH.gpkg:LAYER`` (lzgis._paths through the CLI).

Every refusal: exit 2, one ``Error:`` line naming both paths, the inputs
byte-identical afterwards and nothing written.
"""

from __future__ import annotations

import os
from pathlib import Path

import _toy_city as toy
import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import box

from lzgis._errors import LayerError, OutputError
from lzgis._paths import choose_layer, require_outputs_apart, same_file, split_layer
from lzgis.cli import main
from lzgis.layers import CONFIG_ENV

ZONE = box(103.80, 36.00, 103.82, 36.01)
GREEN = box(103.80, 36.00, 103.81, 36.01)


def _run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    zones = tmp_path / "zones.gpkg"
    green = tmp_path / "green.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZONE], crs=4326).to_file(zones)
    gpd.GeoDataFrame({"id": ["g"]}, geometry=[GREEN], crs=4326).to_file(green)
    return {"zones": zones, "green": green}


def _refused(tmp_path: Path, before: dict[str, bytes], args: list[str | Path]) -> str:
    code, out, err = _run(*args)
    assert code == 2, err
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("Error: ") and "an output never replaces an input" in line
    assert _snapshot(tmp_path) == before  # inputs intact, nothing written
    return line


def test_coverage_out_onto_the_zones_is_refused(tmp_path: Path, files: dict[str, Path]) -> None:
    before = _snapshot(tmp_path)
    args = ["greening", "coverage", "--zones", files["zones"], "--zone-field", "name"]
    line = _refused(tmp_path, before, [*args, "--green", files["green"], "--out", files["zones"]])
    assert f"--zones {files['zones']}" in line


@pytest.mark.parametrize("spelling", ["dotdot", "symlink", "hardlink"])
def test_coverage_out_onto_the_green_by_another_name_is_refused(
    tmp_path: Path, files: dict[str, Path], spelling: str
) -> None:
    (tmp_path / "sub").mkdir()
    if spelling == "dotdot":
        out = tmp_path / "sub" / ".." / "green.gpkg"
    elif spelling == "symlink":
        out = tmp_path / "sub" / "link.gpkg"
        out.symlink_to(files["green"])
    else:
        out = tmp_path / "sub" / "hard.gpkg"
        os.link(files["green"], out)
    before = _snapshot(tmp_path)
    args = ["greening", "coverage", "--zones", files["zones"], "--zone-field", "name"]
    line = _refused(tmp_path, before, [*args, "--green", files["green"], "--out", out])
    assert "--green" in line


def test_coverage_to_another_file_still_works(tmp_path: Path, files: dict[str, Path]) -> None:
    out = tmp_path / "cov.csv"
    code, _, err = _run(
        "greening", "coverage", "--zones", files["zones"], "--zone-field", "name",
        "--green", files["green"], "--green-extent", files["zones"], "--out", out,
    )  # fmt: skip
    assert code == 0, err
    assert pd.read_csv(out)["coverage"].iloc[0] == pytest.approx(0.5, abs=1e-6)


def test_export_onto_the_file_a_config_points_at_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = toy.write_layers(tmp_path / "layers")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    before = _snapshot(tmp_path)
    target = tmp_path / "layers" / "districts.geojson"
    assert target.exists()
    line = _refused(
        tmp_path, before, ["--config", config, "layers", "export", "districts", "--to", target]
    )
    assert "layer districts" in line


def test_export_onto_a_layer_named_by_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = toy.write_layers(tmp_path / "layers")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    before = _snapshot(tmp_path)
    parks = tmp_path / "layers" / "parks.geojson"
    line = _refused(tmp_path, before, ["layers", "export", "districts", "--to", parks])
    assert "layer parks" in line  # another layer's file is an input too
    code, _, err = _run("layers", "export", "parks", "--to", tmp_path / "parks.geojson")
    assert code == 0, err


def test_allocate_into_the_folder_of_a_constraint_it_would_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    res = tmp_path / "res"
    res.mkdir()
    gpd.GeoDataFrame({"id": ["r"]}, geometry=[GREEN], crs=4326).to_file(res / "conflicts.gpkg")
    before = _snapshot(tmp_path)
    line = _refused(
        tmp_path, before, ["allocate", "--constraints", res / "conflicts.gpkg", "--out", res]
    )
    assert "--constraints" in line and "conflicts.gpkg" in line


def test_allocate_next_to_a_constraint_it_does_not_overwrite_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(toy.write_layers(tmp_path / "layers")))
    res = tmp_path / "res"
    res.mkdir()
    red = res / "red_line.gpkg"
    gpd.GeoDataFrame({"id": ["r"]}, geometry=[GREEN], crs=4326).to_file(red)
    before = red.read_bytes()
    code, _, err = _run("allocate", "--constraints", red, "--out", res)
    assert code == 0, err
    assert red.read_bytes() == before
    assert (res / "allocation.csv").exists()


def test_projects_onto_a_configured_layer_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = toy.write_layers(tmp_path / "layers")
    text = config.read_text(encoding="utf-8").replace("projects.geojson", "projects_by_unit.csv")
    (tmp_path / "layers" / "projects.geojson").rename(tmp_path / "layers" / "projects_by_unit.csv")
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    before = _snapshot(tmp_path)
    line = _refused(tmp_path, before, ["projects", "--out", tmp_path / "layers"])
    assert "layer projects" in line


def test_publish_into_a_folder_holding_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = toy.write_layers(tmp_path / "layers")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    before = _snapshot(tmp_path)
    line = _refused(tmp_path, before, ["publish", "--out", tmp_path / "layers"])
    assert "is written as a whole" in line


def test_require_outputs_apart_knows_shapefile_sidecars(tmp_path: Path) -> None:
    zones = tmp_path / "zones.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[ZONE], crs=4326).to_file(zones)
    with pytest.raises(OutputError, match="would replace the input --zones"):
        require_outputs_apart([("--out", tmp_path / "ZONES.dbf".lower())], [("--zones", zones)])
    require_outputs_apart([("--out", tmp_path / "other.shp")], [("--zones", zones)])


def test_same_file_follows_links_and_dotdot(tmp_path: Path) -> None:
    a = tmp_path / "a.gpkg"
    a.write_bytes(b"x")
    (tmp_path / "d").mkdir()
    (tmp_path / "l.gpkg").symlink_to(a)
    assert same_file(tmp_path / "d" / ".." / "a.gpkg", a)
    assert same_file(tmp_path / "l.gpkg", a)
    assert not same_file(tmp_path / "b.gpkg", a)


# --- PATH.gpkg:LAYER -------------------------------------------------------------


@pytest.fixture
def two_layers(tmp_path: Path) -> Path:
    path = tmp_path / "city.gpkg"
    gpd.GeoDataFrame({"name": ["whole"]}, geometry=[ZONE], crs=4326).to_file(path, layer="zones")
    gpd.GeoDataFrame({"id": ["g"]}, geometry=[GREEN], crs=4326).to_file(path, layer="green")
    return path


def test_split_layer_only_splits_vector_suffixes(tmp_path: Path) -> None:
    assert split_layer(tmp_path / "a.gpkg:roads") == (tmp_path / "a.gpkg", "roads")
    assert split_layer("C:/data/a.gpkg") == (Path("C:/data/a.gpkg"), None)
    assert split_layer("x.tif:1") == (Path("x.tif:1"), None)


def test_several_layers_and_none_named_is_refused_with_their_names(two_layers: Path) -> None:
    with pytest.raises(LayerError, match=r"has 2 layers \(zones, green\) and none is named"):
        choose_layer(two_layers, None)
    code, _, err = _run(
        "greening", "coverage", "--zones", two_layers, "--zone-field", "name",
        "--green", f"{two_layers}:green", "--out", two_layers.with_name("c.csv"),
    )  # fmt: skip
    assert code == 2
    assert err.splitlines() == [
        f"Error: {two_layers}: has 2 layers (zones, green) and none is named; "
        f"fix: name one as PATH:LAYER, e.g. {two_layers}:zones"
    ]
    assert not two_layers.with_name("c.csv").exists()
    code, _, err = _run("layers", "validate", two_layers)
    assert code == 2 and "has 2 layers (zones, green)" in err


def test_named_layers_are_read(two_layers: Path) -> None:
    out = two_layers.with_name("c.csv")
    code, _, err = _run(
        "greening", "coverage", "--zones", f"{two_layers}:zones", "--zone-field", "name",
        "--green", f"{two_layers}:green", "--green-extent", f"{two_layers}:zones", "--out", out,
    )  # fmt: skip
    assert code == 0, err
    table = pd.read_csv(out)
    assert table["zone"].tolist() == ["whole"]
    assert table["coverage"].iloc[0] == pytest.approx(0.5, abs=1e-6)
    assert _run("layers", "validate", f"{two_layers}:green")[0] == 0


def test_a_layer_that_is_not_there_is_refused_with_the_names(two_layers: Path) -> None:
    code, _, err = _run("layers", "validate", f"{two_layers}:roads")
    assert code == 2
    assert err.splitlines() == [
        f"{two_layers}: has no layer 'roads'; its layers are zones, green; "
        f"fix: name one of them, e.g. {two_layers}:zones"
    ]


def test_out_onto_a_layers_file_is_refused(two_layers: Path) -> None:
    before = two_layers.read_bytes()
    code, _, err = _run(
        "greening", "coverage", "--zones", f"{two_layers}:zones", "--zone-field", "name",
        "--green", f"{two_layers}:green", "--out", two_layers,
    )  # fmt: skip
    assert code == 2 and "an output never replaces an input" in err
    assert two_layers.read_bytes() == before


def test_suitability_onto_a_layer_its_criteria_name_is_refused(tmp_path: Path) -> None:
    from test_cli_suitability import write_criteria

    criteria = write_criteria(tmp_path)
    road = gpd.read_file(tmp_path / "road.geojson")
    road.to_file(tmp_path / "suitability.gpkg")  # the criteria's road layer, as a GeoPackage
    text = criteria.read_text(encoding="utf-8").replace('"road.geojson"', '"suitability.gpkg"')
    criteria.write_text(text, encoding="utf-8")
    before = _snapshot(tmp_path)
    line = _refused(tmp_path, before, ["suitability", "--criteria", criteria, "--out", tmp_path])
    assert f"named in {criteria}" in line and "suitability.gpkg" in line
