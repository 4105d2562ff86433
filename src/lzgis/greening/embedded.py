"""Greening on the embedded Lanzhou layers and the MODIS land-cover raster.

The embedded green layers (``greening_zones``, ``wetlands``) are schematic
*regional* green drawn from the plan's text: the two mountains, forest
parks, the New Area forest, wetlands. They are not a survey of vegetation,
so the coverage figures here illustrate the method; they are not the
official built-up greening coverage, and no layer is tuned to reproduce a
reported figure. Reported figures are carried next to the results for
comparison, each with the public source it was reported in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import tomllib

from lzgis import layers as _layers
from lzgis._errors import RasterError
from lzgis.greening import _config
from lzgis.greening.coverage import coverage_from_polygons, coverage_from_raster
from lzgis.greening.targets import check, load_targets

__all__ = [
    "IGBP_NAMES",
    "embedded_green",
    "embedded_green_extent",
    "embedded_report",
    "embedded_zones",
    "modis_district_report",
    "modis_path",
    "report_table",
    "zone_report",
]

CITY_ID = "lanzhou"
NOTE = (
    "illustrative, not official: embedded green is schematic regional green (two mountains, "
    "forest parks, wetlands) drawn from the plan's text, not a vegetation survey"
)
OWN_GREEN_NOTE = "green from your own layers (the `green` argument)"
NO_VERDICT = "无实测数据，不作判定 / not measured: no verdict"
VERDICT_COLUMNS = ("target", "passed", "shortfall_km2")
IGBP_NAMES = {
    0: "water",
    1: "evergreen_needleleaf_forest",
    2: "evergreen_broadleaf_forest",
    3: "deciduous_needleleaf_forest",
    4: "deciduous_broadleaf_forest",
    5: "mixed_forest",
    6: "closed_shrubland",
    7: "open_shrubland",
    8: "woody_savanna",
    9: "savanna",
    10: "grassland",
    11: "permanent_wetland",
    12: "cropland",
    13: "urban_built_up",
    14: "cropland_natural_mosaic",
    15: "snow_ice",
    16: "barren",
}
# Reported figures, each with its public source; shown beside the results, never used to tune them.
_CITY_REFERENCE = (
    "reported built-up greening coverage 28.17% (2010), 39.1% (2015), 42.09% (2022) "
    "(lanzhou.baogaosu.com; one-skill.com): built-up area only, not comparable with the whole city"
)
_CITY_REFERENCE_COVERAGE = 0.391
_TWO_MOUNTAINS_REFERENCE = "about 4,000 ha of the two mountains counts as urban green land (as the standards are quoted by secondary pages)"
_DISTRICT_AREA_REFERENCE = {
    "chengguan": 220,
    "qilihe": 397,
    "xigu": 385,
    "anning": 86,
    "honggu": 575,
    "yongdeng": 6090,
    "gaolan": 2556,
    "yuzhong": 3362,
}


def _zone_frame(
    gdf: gpd.GeoDataFrame, kind: str, reference: str | list[str] = ""
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "zone": gdf["id"].astype(str).to_numpy(),
            "zone_zh": gdf["name_zh"].astype(str).to_numpy(),
            "zone_en": gdf["name_en"].astype(str).to_numpy(),
            "zone_kind": kind,
            "reference": reference,
        },
        geometry=gdf.geometry.to_numpy(),
        crs=gdf.crs,
    )


def _city_and_districts() -> list[gpd.GeoDataFrame]:
    districts = _layers.load("districts")
    city = gpd.GeoDataFrame(
        {"id": [CITY_ID], "name_zh": ["兰州市"], "name_en": ["Lanzhou city"]},
        geometry=[districts.geometry.union_all()],
        crs=districts.crs,
    )
    area_ref = [
        f"stated area {_DISTRICT_AREA_REFERENCE[i]:,} km2 (older figure: m.hwhidc.com/baike/7547.html and others)"
        if i in _DISTRICT_AREA_REFERENCE
        else ""
        for i in districts["id"]
    ]
    return [
        _zone_frame(city, "city", _CITY_REFERENCE),
        _zone_frame(districts, "district", area_ref),
    ]


def embedded_zones(
    *, kinds: tuple[str, ...] = ("city", "district", "two_mountains", "park")
) -> gpd.GeoDataFrame:
    """The report's zones: the city, each district, the two-mountain zones, each park.

    The city is the union of the districts. Parks include the parent parks
    (``hitech_zone``, ``economic_zone``) and their sub-parks; each row is
    measured on its own, so rows must never be summed.

    Parameters
    ----------
    kinds
        Which zone kinds to return (``zone_kind`` column).
    """
    frames = _city_and_districts()
    if "two_mountains" in kinds:
        green = _layers.load("greening_zones")
        kind = green.get("zone_kind", pd.Series("", index=green.index)).fillna("").astype(str)
        frames.append(
            _zone_frame(
                green[kind.str.startswith("two_mountains")],
                "two_mountains",
                _TWO_MOUNTAINS_REFERENCE,
            )
        )
    if "park" in kinds:
        frames.append(_zone_frame(_layers.load("parks"), "park"))
    out = pd.concat(frames, ignore_index=True)
    out = out[out["zone_kind"].isin(kinds)].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs)


def embedded_green() -> list[gpd.GeoDataFrame]:
    """The embedded green layers: all greening zones and the wetlands with a green class."""
    green = _layers.load("greening_zones")
    wetlands = _layers.load("wetlands")
    classes = wetlands["green_class"].fillna("").astype(str).str.strip()
    return [green, wetlands[classes != ""]]


def embedded_green_extent() -> gpd.GeoDataFrame:
    """The area the embedded green layers cover: the whole city (the union of the districts).

    The plan's greening covers the municipality, and the layers draw every
    green area it names there, so inside the city what they do not draw
    counts as not green (it undercounts street trees and farmland: the
    figures are illustrative); outside the city there is no data.
    """
    districts = _layers.load("districts")
    return gpd.GeoDataFrame(
        {"id": [CITY_ID]}, geometry=[districts.geometry.union_all()], crs=districts.crs
    )


def _green_layers(green: Sequence[gpd.GeoDataFrame | str | Path]) -> list[gpd.GeoDataFrame]:
    """Green layers as given: GeoDataFrames as they are, paths read as polygons."""
    from lzgis.io import read_vector

    if isinstance(green, (gpd.GeoDataFrame, str, Path)):
        green = [green]
    return [
        g
        if isinstance(g, gpd.GeoDataFrame)
        else read_vector(g, id_field=None, geometry_type="Polygon")
        for g in green
    ]


def embedded_report(
    *, green: Sequence[gpd.GeoDataFrame | str | Path] | None = None
) -> gpd.GeoDataFrame:
    """Greening coverage of the embedded zones against the plan's 31.12% target.

    ``lzgis greening report`` in one call.

    Parameters
    ----------
    green
        Your own green-space polygons (GeoDataFrames or paths, any CRS; their
        union is green), instead of the embedded schematic green. The figures
        are then yours, and ``note`` says so.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone (the city, each district, the two-mountain zones,
        each park), EPSG:4326, columns ``zone``, ``zone_zh``, ``zone_en``,
        ``zone_kind``, ``area_km2``, ``green_km2``, ``coverage``,
        ``unknown``, ``target`` (0.3112, the plan's greening coverage for
        2015, printed "3112%"), ``passed``, ``shortfall_km2``,
        ``reference`` (reported figures to compare with),
        ``reference_coverage`` (the reported 2015 built-up coverage, city
        row only), ``note`` (why these figures are illustrative) and
        ``basis`` = ``"planned_zones"``: the green is the schematic planned
        greening zones, so ``coverage`` is the share of each zone inside
        them, not a measured coverage (maps show no verdicts for it); with
        your ``green``, ``basis`` = ``"measured"``.
    """
    zones = embedded_zones()
    if green is not None:  # your green: the part of a zone outside its extent is unknown
        cov = coverage_from_polygons(zones, _green_layers(green), zone_field="zone")
        return zone_report(zones, cov, note=OWN_GREEN_NOTE, basis="measured")
    cov = coverage_from_polygons(
        zones, embedded_green(), zone_field="zone", extent=embedded_green_extent()
    )
    out = zone_report(zones, cov, note=NOTE, basis="planned_zones")
    two = out["zone_kind"] == "two_mountains"
    out.loc[two, "note"] = (
        NOTE + "; a two-mountain zone is itself drawn as green, so ~100% by construction"
    )
    return out


def zone_report(
    zones: gpd.GeoDataFrame, cov: pd.DataFrame, *, note: str, basis: str
) -> gpd.GeoDataFrame:
    """The report's columns for ``zones`` (:func:`embedded_zones`) and their coverage ``cov``.

    ``basis`` says what the green is: ``planned_zones`` (the embedded layers)
    or ``measured`` (the bureau's raster or polygons).
    """
    targets = load_targets("plan_2015")
    targets = targets[targets["metric"] == "greening_coverage"]
    checked = check(pd.DataFrame(cov.drop(columns="geometry")), targets)
    return gpd.GeoDataFrame(
        {
            "zone": zones["zone"],
            "zone_zh": zones["zone_zh"],
            "zone_en": zones["zone_en"],
            "zone_kind": zones["zone_kind"],
            "area_km2": cov["area_km2"].to_numpy(),
            "green_km2": cov["green_km2"].to_numpy(),
            "coverage": cov["coverage"].to_numpy(),
            "unknown": cov["unknown"].to_numpy(),
            "target": checked["target"].to_numpy(),
            "passed": checked["passed"].to_numpy(),
            "shortfall_km2": checked["shortfall_km2"].to_numpy(),
            "reference": zones["reference"],
            "reference_coverage": np.where(
                zones["zone_kind"] == "city", _CITY_REFERENCE_COVERAGE, np.nan
            ),
            "note": note,
            "basis": basis,
        },
        geometry=zones.geometry.to_numpy(),
        crs=zones.crs,
    )


def report_table(report: pd.DataFrame) -> pd.DataFrame:
    """:func:`zone_report`'s rows as a table to hand on: no verdict on the planned zones.

    Where ``basis`` is ``planned_zones`` the green is schematic, drawn from the
    plan's text, so a pass/fail or a shortfall would mislead: ``target``,
    ``passed`` and ``shortfall_km2`` are left empty and ``verdict_note``
    (after them) says why (:data:`NO_VERDICT`), as the pages do. Measured
    rows keep their verdicts (``verdict_note`` empty). A report without
    ``basis`` counts as planned, as on the pages. A geometry column stays.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"zone": ["a", "b"], "coverage": [0.2, 0.4], "target": [0.3112] * 2,
    ...     "passed": [False, True], "shortfall_km2": [1.1, 0.0],
    ...     "basis": ["planned_zones", "measured"]})
    >>> table = report_table(rows)
    >>> table.columns.tolist()
    ['zone', 'coverage', 'target', 'passed', 'shortfall_km2', 'verdict_note', 'basis']
    >>> table[["target", "passed", "shortfall_km2"]].isna().to_numpy().tolist()
    [[True, True, True], [False, False, False]]
    >>> table["verdict_note"].tolist()
    ['无实测数据，不作判定 / not measured: no verdict', '']
    """
    frame = report.copy()
    basis = frame["basis"] if "basis" in frame.columns else pd.Series("planned_zones", frame.index)
    planned = (basis == "planned_zones").to_numpy()  # no basis: planned, as on the pages
    for col in VERDICT_COLUMNS:
        if col not in frame.columns:
            continue
        if col == "passed":
            frame[col] = frame[col].astype("boolean")
            frame.loc[planned, col] = pd.NA
        else:
            frame[col] = frame[col].astype(float).where(~planned)
    after = max(
        (frame.columns.get_loc(c) for c in VERDICT_COLUMNS if c in frame.columns), default=-1
    )
    frame.insert(int(after) + 1, "verdict_note", np.where(planned, NO_VERDICT, ""))
    return frame


def modis_path() -> Path:
    """The committed MODIS MCD12C1 2019 IGBP land-cover clip of Lanzhou.

    The file name comes from the ``[modis_igbp_2019]`` entry of the layers'
    ``rasters.toml`` (its provenance: package, version, licence, reference).
    """
    folder = _layers.layers_dir()
    name = "modis_igbp_2019.tif"
    manifest = folder / "rasters.toml"
    if manifest.exists():
        with open(manifest, "rb") as fh:
            name = str(tomllib.load(fh).get("modis_igbp_2019", {}).get("file", name))
    path = folder / name
    if not path.exists():
        raise RasterError(
            f"{path}: the MODIS land-cover clip is missing; fix: reinstall lzgis or pass `raster`"
        )
    return path


def modis_district_report(
    *,
    raster: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Land-cover composition and green coverage (IGBP 1–10) per district from MODIS.

    Parameters
    ----------
    raster
        An IGBP-classified raster; default the committed MCD12C1 2019 clip
        (0.05°, about 5 km pixels, geographic Clarke-1866 CRS).
    progress
        Called with increments of processed windows (for a progress bar).

    Returns
    -------
    pandas.DataFrame
        One row per district plus the city: ``zone``, ``zone_en``,
        ``area_km2``, ``data_km2``, ``green_km2``, ``coverage`` (IGBP 1–10:
        forests, shrublands, savannas and grassland; mostly grassland around
        Lanzhou), ``unknown`` and km² per IGBP class present
        (``igbp_10_grassland`` ...). Coarse: fit for districts, not parks.
    """
    from lzgis import zonal

    path = str(raster if raster is not None else modis_path())
    zones = embedded_zones(kinds=("city", "district"))
    cov = coverage_from_raster(
        zones,
        path,
        zone_field="zone",
        classes=_config.raster_classes("igbp"),
        progress=progress,
    )
    # exact edge integrals can leave -1e-12 km2 for absent classes: clip at zero
    comp = zonal.class_composition(zones, path).reindex(zones.index).clip(lower=0.0)
    comp.columns = [f"igbp_{int(c)}_{IGBP_NAMES.get(int(c), 'unknown')}" for c in comp.columns]
    out = pd.DataFrame(cov.drop(columns="geometry"))
    out.insert(1, "zone_en", zones["zone_en"].to_numpy())
    return pd.concat([out, comp], axis=1)
