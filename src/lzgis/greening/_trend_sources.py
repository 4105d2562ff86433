"""The command line's yearly sources of ``greening trend``, and how a run names them.

``--raster YEAR=PATH`` (or ``--red``/``--nir YEAR=PATH``), repeated: each
year's sources in the order given, each a file or a collection (a folder, a
glob, a VRT, a STAC ItemCollection JSON); see :func:`parse_year_paths`.

Examples
--------
>>> parse_year_paths(["2019=t47.tif", "2023=tiles/*.tif", "2019=t48.tif"])
{2019: ['t47.tif', 't48.tif'], 2023: ['tiles/*.tif']}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from lzgis._errors import LzgisError

__all__ = ["YearSource", "parse_year_paths", "trend_method", "year_sources"]

_YEAR = re.compile(r"^\s*(\d{4})\s*=(.+)$")

# One year's source: a file, or a collection (list in order of preference, folder, glob, VRT, STAC)
YearSource = str | Path | Sequence[str | Path]


def parse_year_paths(items: Iterable[str], *, option: str = "--raster") -> dict[int, list[str]]:
    """``["2019=a.tif", "2023=b.tif", "2023=c.tif"]`` as ``{2019: ["a.tif"], 2023: ["b.tif", "c.tif"]}``.

    A year given more than once gets all its sources, in the order given
    (the mosaic rule's order of preference); each may be a file, a folder, a
    glob, a VRT or a STAC ItemCollection JSON.

    Raises
    ------
    LzgisError
        A label that is not a four-digit year.
    """
    out: dict[int, list[str]] = {}
    for item in items:
        match = _YEAR.match(item)
        if not match or not match.group(2).strip():
            raise LzgisError(
                f"`{option} {item}`: expected YEAR=PATH with a four-digit year, like "
                f"{option} 2019=ndvi_2019.tif; fix: put the year and '=' before the path"
            )
        out.setdefault(int(match.group(1)), []).append(match.group(2).strip())
    return out


def year_sources(
    rasters: Sequence[str],
    red: Sequence[str] = (),
    nir: Sequence[str] = (),
    *,
    ndvi_threshold: float | None = None,
    classes: Sequence[int] | None = None,
) -> tuple[dict[int, list[str]], dict[int, list[str]] | None]:
    """The command line's yearly sources: ``--raster YEAR=PATH …`` or ``--red``/``--nir YEAR=PATH …``.

    Returns ``({year: rasters or red bands}, {year: NIR bands} or None)``,
    each year's sources in the order given.

    Raises
    ------
    LzgisError
        Both kinds or neither, red and NIR for different years, a rule that
        does not fit (``--classes`` with bands) or a bad label.
    """
    if rasters and (red or nir):
        raise LzgisError(
            "`--raster` and `--red`/`--nir` given together; expected one kind of yearly source; "
            "fix: pass --raster YEAR=PATH for each year, or --red and --nir YEAR=PATH"
        )
    if (ndvi_threshold is None) == (classes is None):
        raise LzgisError(
            "`greening trend` needs exactly one of --ndvi-threshold (NDVI rasters or red/NIR bands) "
            "and --classes (land-cover rasters); fix: add one, e.g. --ndvi-threshold 0.3"
        )
    if rasters:
        return parse_year_paths(rasters, option="--raster"), None
    if not red and not nir:
        raise LzgisError(
            "no yearly rasters given; expected --raster YEAR=PATH (at least one); "
            "fix: e.g. --raster 2019=ndvi_2019.tif --raster 2023=ndvi_2023.tif"
        )
    reds, nirs = parse_year_paths(red, option="--red"), parse_year_paths(nir, option="--nir")
    if sorted(reds) != sorted(nirs) or classes is not None:
        raise LzgisError(
            f"`--red` years {sorted(reds)} and `--nir` years {sorted(nirs)}; expected a red and a "
            "NIR band for every year, with --ndvi-threshold; fix: give both bands of each year"
        )
    return reds, nirs


def _names(source: YearSource) -> str:
    """A year's source by file name: ``a.tif``, or ``a.tif + b.tif`` (never a folder path)."""
    items = [source] if isinstance(source, str | Path) else list(source)
    return " + ".join(Path(str(item)).name for item in items)


def trend_method(
    *,
    zones: str | Path | None,
    zones_crs: object,
    zone_field: str,
    rasters: Mapping[int, YearSource],
    nir: Mapping[int, YearSource] | None = None,
    ndvi_threshold: float | None = None,
    ndvi_scale: float | None = None,
    classes: Sequence[int] | None = None,
    band: int = 1,
    within: str | Path | None = None,
) -> dict[str, str]:
    """The method-and-sources items of a trend run (file names only, never their folders)."""
    from lzgis.greening.outputs import describe_sources

    first = min(rasters)
    items = describe_sources(
        zones=zones,
        zones_crs=zones_crs,
        zone_field=zone_field,
        raster=None if nir else rasters[first],
        red=rasters[first] if nir else None,
        nir=nir[first] if nir else None,
        ndvi_threshold=ndvi_threshold,
        ndvi_scale=ndvi_scale,
        classes=classes,
        band=band,
        within=within,
    )
    items["各年影像 / imagery by year"] = "; ".join(
        f"{y}: {_names(rasters[y])}" + (f" + {_names(nir[y])}" if nir else "")
        for y in sorted(rasters)
    )
    return items
