"""The embedded Lanzhou layers: the catalogue and the loader.

The layers live in ``layers/`` (in a wheel: ``lzgis/_layers``), described by
``layers/catalog.toml``. :func:`load` returns a validated GeoDataFrame in
EPSG:4326. Any layer id can be pointed at a user's own file, for example the
bureau's authoritative boundaries, with the ``path`` argument or a TOML
config file (``config`` argument or the ``LZGIS_CONFIG`` environment
variable)::

    [layers]
    districts = "/data/bureau/districts.gpkg"
    parks = "/data/bureau/city.gpkg:parks"                       # one layer of a GeoPackage
    wetlands = { path = "/data/wetlands.shp", encoding = "gbk" }  # a Shapefile's text encoding

The same validation applies to user files. Features of a user file that lack
``source``, ``accuracy`` or ``schematic`` get ``source`` = the file's path,
``accuracy`` = "unknown (user file)" and ``schematic`` = False, so that
provenance is never silently missing.

Examples
--------
>>> districts = load("districts")
>>> len(districts), districts.crs.to_epsg()
(8, 4326)
>>> sorted(catalog()["id"])[:3]
['districts', 'greening_zones', 'new_area']
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import tomllib

from lzgis._errors import LayerError
from lzgis._paths import require_outputs_apart
from lzgis.io import driver_for, read_vector, write_vector

__all__ = [
    "LAYER_IDS",
    "catalog",
    "config_table",
    "export",
    "input_paths",
    "layer_path",
    "layers_dir",
    "load",
    "places",
    "spec",
]

LAYER_IDS = (
    "districts",
    "new_area",
    "parks",
    "greening_zones",
    "wetlands",
    "yellow_river",
    "projects",
)
PROVENANCE_FIELDS = ("source", "accuracy", "schematic")
CONFIG_ENV = "LZGIS_CONFIG"


def layers_dir() -> Path:
    """Folder holding the embedded layers and ``catalog.toml``."""
    packaged = Path(__file__).parent / "_layers"
    if (packaged / "catalog.toml").exists():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "layers"
    if (repo / "catalog.toml").exists():
        return repo
    raise LayerError(
        f"embedded layers not found in {packaged} or {repo}; fix: reinstall lzgis (`pip install -e .`)"
    )


@lru_cache(maxsize=1)
def _catalog_dict() -> dict[str, dict[str, Any]]:
    with open(layers_dir() / "catalog.toml", "rb") as fh:
        return tomllib.load(fh)


def spec(layer_id: str) -> dict[str, Any]:
    """Catalogue entry of one layer.

    Raises
    ------
    LayerError
        ``layer_id`` is not in the catalogue.
    """
    entries = _catalog_dict()
    if layer_id not in entries:
        raise LayerError(
            f"unknown layer id {layer_id!r}; expected one of {', '.join(entries)}; fix: check `layer_id`"
        )
    return dict(entries[layer_id], id=layer_id)


def catalog() -> pd.DataFrame:
    """The layer catalogue as a DataFrame, one row per layer, in catalogue order."""
    rows = [spec(layer_id) for layer_id in _catalog_dict()]
    cols = [
        "id",
        "title_zh",
        "title_en",
        "file",
        "geometry_type",
        "source",
        "licence",
        "accuracy",
        "schematic",
    ]
    frame = pd.DataFrame(rows)
    return frame[cols + [c for c in frame.columns if c not in cols]]


def _config_data(config: str | Path | None) -> tuple[Path, dict[str, Any]] | None:
    cfg = config if config is not None else os.environ.get(CONFIG_ENV)
    if not cfg:
        return None
    p = Path(cfg)
    if not p.exists():
        raise LayerError(f"{p}: config file not found; fix: check `config` / ${CONFIG_ENV}")
    if p.is_dir():
        raise LayerError(f"{p}: is a folder, not a config file; fix: give the TOML file's path")
    try:
        with open(p, "rb") as fh:
            return p, tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LayerError(f"{p}: not valid TOML ({exc}); fix: correct the file") from None


def config_table(name: str, *, config: str | Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The ``[name]`` table of the config file (``config`` or ``$LZGIS_CONFIG``) and the file.

    Returns an empty table (and the path ``.``) when there is no config or no such table.

    Raises
    ------
    LayerError
        The file is missing, not TOML, or ``[name]`` is not a table.
    """
    found = _config_data(config)
    if found is None:
        return Path("."), {}
    p, data = found
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise LayerError(f"{p}: [{name}] must be a table; fix: correct the file")
    return p, table


def places() -> gpd.GeoDataFrame:
    """Named places for the maps (``lzgis/data/places.tsv``): landmarks, mountains, wetlands, bridges.

    Copied from the project's gazetteer with their sources; ``aliases`` holds
    other names people search for ("; "-separated). EPSG:4326 points.

    >>> p = places()
    >>> "兰州中川国际机场" in set(p["name_zh"]), p.crs.to_epsg()
    (True, 4326)
    """
    path = Path(__file__).resolve().parent / "data" / "places.tsv"
    table = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    out = gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
        crs="EPSG:4326",
    )
    out.insert(0, "id", [f"place_{i}" for i in range(len(out))])
    out = out.rename(columns={"confidence": "location_confidence"})
    words = {"high": "高 / high", "medium": "中 / medium", "low": "低 / low"}
    out["accuracy"] = "点位可信度 / point confidence: " + out["location_confidence"].map(
        lambda c: words.get(c, c)
    )
    out["schematic"] = False
    return out


def _config_overrides(config: str | Path | None) -> dict[str, dict[str, str]]:
    """``{layer id: {"path": ..., "encoding": ...}}`` from the config's ``[layers]`` table."""
    found = _config_data(config)
    if found is None:
        return {}
    p, data = found
    layers = data.get("layers", {})
    if not isinstance(layers, dict):
        raise LayerError(f'{p}: [layers] must be a table of id = "path"; fix: correct the file')
    unknown = [k for k in layers if k not in LAYER_IDS]
    if unknown:
        raise LayerError(
            f"{p}: unknown layer id(s) {', '.join(unknown)} in [layers]; expected {', '.join(LAYER_IDS)}; "
            "fix: correct the file"
        )
    out: dict[str, dict[str, str]] = {}
    for key, value in layers.items():
        entry = value if isinstance(value, dict) else {"path": value}
        extra = set(entry) - {"path", "encoding"}
        if not isinstance(entry.get("path"), str) or extra:
            raise LayerError(
                f'{p}: [layers] {key} must be "PATH" or {{ path = "PATH", encoding = "gbk" }}; '
                "fix: correct the file"
            )
        path = entry["path"]
        full = str(path if Path(path).is_absolute() else p.parent / path)
        out[key] = {
            "path": full,
            **({"encoding": str(entry["encoding"])} if "encoding" in entry else {}),
        }
    return out


def layer_path(
    layer_id: str, *, path: str | Path | None = None, config: str | Path | None = None
) -> Path:
    """The file :func:`load` would read for ``layer_id`` (``PATH:LAYER`` kept as given)."""
    entry = spec(layer_id)
    if path is not None:
        return Path(path)
    overrides = _config_overrides(config)
    if layer_id in overrides:
        return Path(overrides[layer_id]["path"])
    return layers_dir() / entry["file"]


def input_paths(*, config: str | Path | None = None) -> list[tuple[str, Path]]:
    """Every file the layers come from, as (label, path): the config and each layer's file.

    Commands refuse outputs that would replace any of them
    (:func:`lzgis._validate.require_outputs_apart`).
    """
    cfg = config if config is not None else os.environ.get(CONFIG_ENV)
    found: list[tuple[str, Path]] = [("config", Path(cfg))] if cfg else []
    for layer_id in LAYER_IDS:
        found.append((f"layer {layer_id}", layer_path(layer_id, config=config)))
    return found


def load(
    layer_id: str,
    *,
    path: str | Path | None = None,
    config: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Load one layer as a validated GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    layer_id
        One of :data:`LAYER_IDS`.
    path
        Read this file instead of the embedded one.
    config
        A TOML file whose ``[layers]`` table maps layer ids to files; defaults
        to ``$LZGIS_CONFIG``. ``path`` wins over ``config``.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, with the catalogue's required fields and provenance fields.

    Raises
    ------
    LayerError, ValidationError
        Unknown id, unreadable file, or a file that fails validation.
    """
    entry = spec(layer_id)
    src = layer_path(layer_id, path=path, config=config)
    encoding = (
        None if path is not None else _config_overrides(config).get(layer_id, {}).get("encoding")
    )
    gdf = read_vector(
        src,
        geometry_type=entry["geometry_type"],
        required_fields=entry.get("required_fields", ()),
        encoding=encoding,
    )
    embedded = src.resolve().parent == layers_dir().resolve()
    if not embedded:
        if "source" not in gdf.columns:
            gdf["source"] = str(src)
        if "accuracy" not in gdf.columns:
            gdf["accuracy"] = "unknown (user file)"
        if "schematic" not in gdf.columns:
            gdf["schematic"] = False
    gdf.attrs["layer_id"] = layer_id
    gdf.attrs["path"] = str(src)
    return gdf


def export(layer_id: str, path: str | Path, *, config: str | Path | None = None) -> int:
    """Write one layer to a GeoPackage, GeoJSON or Shapefile (by suffix), atomically.

    The suffix is checked, and ``path`` is refused when it would replace any
    layer's file or the config, before anything is read, so a wrong ``path``
    fails fast and writes nothing. Returns the number of features written.
    """
    driver_for(path)
    require_outputs_apart([("--to", path)], input_paths(config=config))
    gdf = load(layer_id, config=config)
    write_vector(gdf, path)
    return len(gdf)
