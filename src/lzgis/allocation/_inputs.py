"""The embedded layers as the analyses' inputs, with the planner's own layers put in.

:func:`embedded_allocation` is the one call behind ``lzgis allocate``: the
allocation table and the conflicts on the embedded layers, with a river band
of any width, any number of the planner's own constraint layers (an
ecological red line, a water-source zone) and, optionally, park outlines
replaced by the planner's own. :func:`constraint_layers` turns what a person
gives (GeoDataFrames or file paths, in a list or by name) into named layers,
the same way for the CLI and for Python, so both give the same table.
:func:`replace_parks` swaps park outlines by ``id``; :mod:`lzgis.projects`
uses both too.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> red = gpd.GeoDataFrame({"id": ["r1"]}, geometry=[box(103.6, 36.0, 103.7, 36.1)], crs=4326)
>>> layers, notes = constraint_layers([red])
>>> list(layers), notes
(['constraint_1'], [])
>>> list(constraint_layers({"red_line": red})[0])
['red_line']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import pandas as pd
import shapely

from lzgis._errors import ValidationError
from lzgis._validate import require_crs, require_distance, require_layer_names
from lzgis.allocation._allocate import allocate, conflicts
from lzgis.allocation._overlay import RESERVED, RIVER_BUFFER_M, check_polygons

__all__ = [
    "ConstraintInput",
    "Constraints",
    "constraint_layers",
    "embedded_allocation",
    "embedded_inputs",
    "read_constraints",
    "replace_parks",
]

#: One constraint layer as a person gives it: a GeoDataFrame or a path GDAL reads.
ConstraintInput: TypeAlias = gpd.GeoDataFrame | str | Path
#: Constraint layers as a person gives them: one, a list, or a mapping ``{name: layer}``.
Constraints: TypeAlias = (
    ConstraintInput | Sequence[ConstraintInput] | Mapping[str, ConstraintInput] | None
)
_EMBEDDED = ("wetlands", "greening_zones")


def _stem_name(path: str | Path) -> str:
    """A file's layer name: ``PATH.gpkg:LAYER`` gives LAYER, any other path its stem."""
    from lzgis._paths import split_layer

    file, layer = split_layer(path)
    return re.sub(r"\W+", "_", layer or file.stem).strip("_")


def _items(
    items: Constraints,
) -> list[tuple[str, ConstraintInput]]:
    """``(name, layer)`` pairs: names as given, file stems, ``attrs["name"]`` or ``constraint_<n>``."""
    if items is None:
        return []
    if isinstance(items, (gpd.GeoDataFrame, str, Path)):
        items = [items]
    if isinstance(items, Mapping):
        return [(str(k), v) for k, v in items.items()]
    named: list[tuple[str, ConstraintInput]] = []
    for k, item in enumerate(items, start=1):
        if isinstance(item, gpd.GeoDataFrame):
            named.append((str(item.attrs.get("name") or f"constraint_{k}"), item))
        elif isinstance(item, (str, Path)):
            named.append((_stem_name(item), item))
        else:
            raise ValidationError(
                f"`constraints` item {k} is a {type(item).__name__}; expected a GeoDataFrame or "
                "a file path; fix: pass polygons (e.g. `gpd.read_file(...)`) or the file's path"
            )
    return named


def constraint_layers(
    items: Constraints, *, encoding: str | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """The planner's constraint layers, named and in EPSG:4326.

    Parameters
    ----------
    items
        GeoDataFrames and/or paths (GeoPackage, GeoJSON, Shapefile), in a list
        or in a mapping ``{name: layer}``. In a list, a file is named by its
        stem (non-word characters become "_"), a GeoDataFrame by
        ``gdf.attrs["name"]`` or else ``constraint_<n>`` (its place in the
        list, from 1). Names become the table's ``<name>_km2`` columns and the
        conflicts' ``protected_layer``. ``PATH.gpkg:LAYER`` reads that layer
        and is named after it.
    encoding
        Forces a Shapefile's text encoding (else detected, see :mod:`lzgis.io`).

    Returns
    -------
    (dict, list)
        The layers by name, and one message per layer that had to be
        reprojected ("reprojected <file> from <crs> to EPSG:4326").

    Raises
    ------
    CRSError
        A layer without a CRS.
    ValidationError, LayerError
        A name that is not a plain word or is taken, an unreadable file,
        anything but polygons.
    """
    from lzgis.io import read_vector

    layers: dict[str, gpd.GeoDataFrame] = {}
    messages: list[str] = []
    for name, item in _items(items):
        if isinstance(item, gpd.GeoDataFrame):
            require_layer_names(
                [name], reserved={*RESERVED, *layers, *_EMBEDDED}, what="constraint"
            )
            gdf, label = item, f"`constraints[{name!r}]`"
            require_crs(gdf, name=f"constraints[{name!r}]")
            if len(gdf):
                check_polygons(gdf, name=f"constraints[{name!r}]")
        else:
            require_layer_names(
                [name],
                reserved={*RESERVED, *layers, *_EMBEDDED},
                what=f"constraint file {item}: its",
                fix="rename the file (letters, digits and '_', e.g. red_line.geojson)",
            )
            # refuses a file without CRS
            gdf = read_vector(item, geometry_type="Polygon", to_wgs84=False, encoding=encoding)
            label = str(Path(item))
        if gdf.crs.to_epsg() != 4326:
            messages.append(f"reprojected {label} from {gdf.crs.to_string()} to EPSG:4326")
            gdf = gdf.to_crs(4326)
        layers[name] = gdf
    return layers, messages


def read_constraints(
    paths: Sequence[str | Path], *, encoding: str | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Read constraint files, named by file stem, in EPSG:4326 (see :func:`constraint_layers`)."""
    return constraint_layers(list(paths), encoding=encoding)


def replace_parks(
    parks: gpd.GeoDataFrame, own: gpd.GeoDataFrame | str | Path, *, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """``parks`` with the outlines of ``own`` put in by ``id``; every other park as it was.

    Parameters
    ----------
    parks
        The parks (``id`` and any attributes), any CRS.
    own
        Polygons with ``id`` (a GeoDataFrame or a file); each ``id`` must be one
        of ``parks``. Several features with one ``id`` are joined. The park
        keeps its attributes and gets the new outline.

    Examples
    --------
    >>> from shapely import box
    >>> parks = gpd.GeoDataFrame({"id": ["a", "b"], "tier": [3, 8]},
    ...                          geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1)], crs=4326)
    >>> mine = gpd.GeoDataFrame({"id": ["a"]}, geometry=[box(0, 0, 2, 1)], crs=4326)
    >>> replace_parks(parks, mine).area.round(1).tolist()
    [2.0, 1.0]
    """
    from lzgis.io import read_vector

    if isinstance(own, gpd.GeoDataFrame):
        source = "`parks`"
        require_crs(own, name="parks")
        if "id" not in own.columns:
            raise ValidationError(
                "`parks` has no `id` column; expected the id of the park each outline "
                "replaces; fix: add `id` (see `lzgis layers list`)"
            )
        check_polygons(own, name="parks")
    else:
        source = str(own)
        own = read_vector(own, geometry_type="Polygon", required_fields=["id"], encoding=encoding)
    known = [str(i) for i in parks["id"]]
    unknown = sorted({str(i) for i in own["id"]} - set(known))
    if unknown:
        raise ValidationError(
            f"{source}: park id {unknown[0]!r} is not a park of the plan; expected one of "
            f"{', '.join(known)}; fix: set `id` to the park whose outline it replaces"
        )
    moved = own.to_crs(parks.crs)
    out = parks.copy()
    for pid, group in moved.groupby(moved["id"].astype(str), sort=False):
        row = out.index[out["id"].astype(str) == pid]
        out.loc[row, out.geometry.name] = shapely.union_all(group.geometry.values)
    return gpd.GeoDataFrame(out, geometry=parks.geometry.name, crs=parks.crs)


def embedded_inputs(
    *,
    extra: Mapping[str, gpd.GeoDataFrame] | None = None,
    parks: gpd.GeoDataFrame | str | Path | None = None,
) -> dict[str, Any]:
    """The embedded layers :func:`embedded_allocation` works on, plus ``extra`` constraints.

    Parameters
    ----------
    extra
        Named constraint layers (from :func:`constraint_layers`).
    parks
        Park outlines of your own by ``id`` (see :func:`replace_parks`).

    Returns
    -------
    dict
        ``parks``, ``districts``, ``river`` (the Yellow River), ``protected``
        (``wetlands``, ``greening_zones``, then ``extra``) and ``features``
        (parks and projects together, for :func:`lzgis.allocation.conflicts`).
    """
    from lzgis.layers import load

    extra = dict(extra or {})
    require_layer_names(extra, reserved={*RESERVED, *_EMBEDDED}, what="constraint")
    park_layer = load("parks")
    if parks is not None:
        park_layer = replace_parks(park_layer, parks)
    projects = load("projects")
    features = gpd.GeoDataFrame(
        pd.concat([park_layer, projects], ignore_index=True), geometry="geometry", crs=4326
    )
    return {
        "parks": park_layer,
        "districts": load("districts"),
        "river": load("yellow_river"),
        "protected": {name: load(name) for name in _EMBEDDED} | extra,
        "features": features,
    }


def embedded_allocation(
    *,
    river_buffer_m: float = RIVER_BUFFER_M,
    constraints: Constraints = None,
    parks: gpd.GeoDataFrame | str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The allocation table and the conflicts on the embedded layers: ``lzgis allocate`` in one call.

    Parameters
    ----------
    river_buffer_m
        Half-width of the Yellow River band in metres (``--river-buffer``).
    constraints
        Your own protected layers (``--constraints``): GeoDataFrames or paths,
        in a list or by name (:func:`constraint_layers`). They are taken out
        of the developable land with ``wetlands``, ``greening_zones`` and the
        river band, and checked for conflicts like them.
    parks
        Your own outlines for some parks, by ``id`` (``--parks``; :func:`replace_parks`).
    progress
        Called with a label after each step (for a progress bar).

    Returns
    -------
    (pandas.DataFrame, geopandas.GeoDataFrame)
        :func:`lzgis.allocation.allocate`'s table and
        :func:`lzgis.allocation.conflicts`' frame (EPSG:4326). Written with
        :func:`lzgis.io.write_table`, the table is byte for byte the
        ``allocation.csv`` of ``lzgis allocate`` with the same options.

    Examples
    --------
    >>> table, found = embedded_allocation(river_buffer_m=1000)
    >>> table.attrs["constraints"]
    ['wetlands', 'greening_zones', 'river_buffer']
    """
    river_buffer_m = require_distance(river_buffer_m, name="river_buffer_m")
    tell = progress or (lambda label: None)
    extra, _ = constraint_layers(constraints)
    inputs = embedded_inputs(extra=extra, parks=parks)
    tell("inputs")
    table = allocate(
        inputs["parks"],
        inputs["districts"],
        constraints=inputs["protected"],
        river=inputs["river"],
        river_buffer_m=river_buffer_m,
    )
    tell("allocation")
    found = conflicts(
        inputs["features"],
        inputs["protected"],
        river=inputs["river"],
        river_buffer_m=river_buffer_m,
    )
    tell("conflicts")
    return table, found
