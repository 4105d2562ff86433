"""Imagery collections: what a raster argument names, as an ordered list of GDAL paths.

A raster argument may be one file, several files (a list), a folder (its
rasters, by name), a glob (``tiles/*.tif``, by name), a GDAL VRT (one
source: GDAL mosaics its files itself), an ``http(s)://`` URL (a
cloud-optimised GeoTIFF read through GDAL's ``/vsicurl/`` with range
requests) or a local STAC ItemCollection JSON (one asset per item, by local
path or URL; ``items.json#B04`` picks the asset named ``B04``).

The order of the list is the order of preference: each part of a zone is
measured from the first source whose extent covers it (see
:mod:`lzgis.zonal._mosaic`). STAC items keep the file's order, or come
newest first (``properties.datetime``) with ``prefer="newest"``.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from lzgis._errors import RasterError

__all__ = ["PREFER", "RasterInput", "extent_polygon", "gdal_path", "resolve"]

RasterInput = str | Path | Sequence[str | Path]
PREFER = ("given", "newest")
_RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".jp2"}
_RASTER_TYPES = ("image/tiff", "image/jp2", "image/vnd.stac.geotiff", "application/x-hdf")
_GLOB_CHARS = set("*?[")


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def gdal_path(text: str) -> str:
    """The path GDAL opens for ``text``: ``/vsicurl/`` before http(s) URLs, else unchanged."""
    return f"/vsicurl/{text}" if _is_url(text) else text


def _stac_href(href: str, base: Path) -> str:
    if _is_url(href):
        return gdal_path(href)
    if href.startswith("file://"):
        href = href[len("file://") :]
    path = Path(href)
    return str(path if path.is_absolute() else (base / path))


def _stac_asset(item: dict[str, Any], key: str | None, *, path: Path, n: int) -> str:
    assets = item.get("assets") or {}
    if key is not None:
        if key not in assets:
            raise RasterError(
                f"`{path}`: item {item.get('id', n)!r} has no asset {key!r} (it has "
                f"{', '.join(sorted(assets)) or 'none'}); fix: name one of them after `#`"
            )
        return str(assets[key]["href"])
    rasters = [
        k
        for k, a in assets.items()
        if str(a.get("type", "")).startswith(_RASTER_TYPES) or "data" in a.get("roles", [])
    ]
    if len(rasters) != 1:
        raise RasterError(
            f"`{path}`: item {item.get('id', n)!r} has {len(rasters)} raster assets "
            f"({', '.join(rasters) or 'none'}); expected one; fix: pick one with "
            f"`{path.name}#ASSET`, e.g. `{path.name}#{rasters[0] if rasters else 'B04'}`"
        )
    return str(assets[rasters[0]]["href"])


def _stac(path: Path, key: str | None, prefer: str) -> list[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RasterError(
            f"`{path}`: not a readable JSON file ({exc}); expected a STAC ItemCollection; "
            "fix: give the collection's items as GeoJSON FeatureCollection"
        ) from None
    items = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items:
        raise RasterError(
            f"`{path}`: no STAC items; expected a FeatureCollection of items with `assets`; "
            "fix: export the search result as an ItemCollection"
        )
    order = list(range(len(items)))
    if prefer == "newest":
        stamps = []
        for n, item in enumerate(items):
            props = item.get("properties") or {}
            stamp = (
                props.get("datetime") or props.get("end_datetime") or props.get("start_datetime")
            )
            if not stamp:
                raise RasterError(
                    f"`{path}`: item {item.get('id', n)!r} has no datetime; `--prefer newest` "
                    "needs one; fix: add properties.datetime or keep the file's order"
                )
            stamps.append(str(stamp))
        # newest first (a stable sort: equal times keep the file's order)
        order = sorted(order, key=lambda n: _when(stamps[n], path), reverse=True)
    return [_stac_href(_stac_asset(items[n], key, path=path, n=n), path.parent) for n in order]


def _when(stamp: str, path: Path) -> datetime:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise RasterError(
            f"`{path}`: datetime {stamp!r} is not ISO 8601; fix: write e.g. 2024-07-01T00:00:00Z"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _one(text: str, prefer: str, what: str) -> list[str]:
    if _is_url(text):
        return [gdal_path(text)]
    if text.startswith("/vsi"):
        return [text]
    plain, _, key = text.partition("#")
    if plain.lower().endswith(".json"):
        return _stac(Path(plain), key or None, prefer)
    path = Path(text)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in _RASTER_SUFFIXES)
        if not found:
            raise RasterError(
                f"`{path}`: a folder with no rasters; expected {what} files "
                f"({', '.join(sorted(_RASTER_SUFFIXES))}); fix: point to the folder of the tiles"
            )
        return [str(p) for p in found]
    if _GLOB_CHARS & set(text) and not path.exists():
        matches = sorted(glob.glob(text))
        if not matches:
            raise RasterError(
                f"`{text}`: the pattern matches no file; expected {what} tiles; "
                "fix: check the pattern (quote it so the shell leaves it alone)"
            )
        return matches
    return [str(path)]


def resolve(raster: RasterInput, *, prefer: str = "given", what: str = "raster") -> list[str]:
    """The GDAL paths ``raster`` names, in order of preference (see the module doc).

    Examples
    --------
    >>> resolve(["a.tif", "https://example.org/b.tif"])
    ['a.tif', '/vsicurl/https://example.org/b.tif']
    """
    if prefer not in PREFER:
        raise RasterError(
            f"`prefer` is {prefer!r}; expected one of {', '.join(PREFER)}; fix: use 'newest' "
            "(STAC items by date) or leave it out"
        )
    items = [raster] if isinstance(raster, str | Path) else list(raster)
    if not items:
        raise RasterError(f"no {what} given; expected a file, folder, glob, VRT or STAC JSON")
    out: list[str] = []
    for item in items:
        out.extend(_one(str(item), prefer, what))
    return out


def extent_polygon(src: Any) -> shapely.Geometry:
    """The raster's footprint (its grid's outline) in its CRS."""
    t = src.transform
    corners: NDArray[np.float64] = np.array(
        [t @ (0, 0), t @ (src.width, 0), t @ (src.width, src.height), t @ (0, src.height)]
    )
    return shapely.Polygon(corners)
