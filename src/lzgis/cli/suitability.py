"""``lzgis suitability``: score a grid against a criteria file and allocate a site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lzgis.cli._base import INPUT, LzgisCommand, OutputFolder, progress
from lzgis.io import write_vectors
from lzgis.suitability import qgis_styles
from lzgis.suitability._file import read_criteria
from lzgis.suitability._run import allocate_prepared, prepare_criteria, score_prepared


def _criteria_inputs(params: dict[str, Any]) -> list[tuple[str, Path]]:
    spec = read_criteria(params["criteria_path"])
    return [(f"named in {spec.path}", p) for p in spec.inputs]


@click.command("suitability", cls=LzgisCommand, extra_inputs=_criteria_inputs)
@click.option(
    "--criteria",
    "criteria_path",
    required=True,
    type=INPUT,
    help="Criteria TOML file (see src/lzgis/data/suitability_example.toml).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=OutputFolder(("suitability.gpkg",)),
    help="Output folder (for suitability.gpkg).",
)
@click.option(
    "--cell-m", type=float, default=None, help="Cell edge in metres (overrides the file's cell_m)."
)
def suitability(criteria_path: str, out_dir: str, cell_m: float | None) -> None:
    """Weighted-overlay suitability and site allocation -> OUT/suitability.gpkg.

    Layers: `grid` (every cell: distances, criteria 0..1, masked_by, score,
    allocated) and `sites` (the dissolved allocated site), in EPSG:4326, with
    default QGIS styles in the GeoPackage's layer_styles table.
    Nothing is written on error.
    """
    prep = prepare_criteria(read_criteria(criteria_path), cell_m=cell_m)
    for note in prep.notes:
        click.echo(f"note: {note}")
    method = "AHP" if prep.consistency_ratio is not None else "direct"
    weights = ", ".join(f"{k} {v:.3f}" for k, v in prep.weights.items())
    click.echo(f"weights ({method}): {weights}")
    if prep.consistency_ratio is not None:
        click.echo(f"consistency ratio: {prep.consistency_ratio:.3f} (limit 0.1)")
    with progress(prep.spec.steps, "scoring") as bar:
        scored = score_prepared(prep, on_step=lambda _name: bar.update(1))
    masked = scored["score"].isna()
    cell = scored.attrs["cell_m"]
    click.echo(
        f"cells: {len(scored)} of {cell:g} m; masked {int(masked.sum())} ({masked.mean():.1%}); "
        f"unmasked {int((~masked).sum()) * cell * cell / 1e6:.1f} km2"
    )
    grid_out = scored.copy()
    grid_out["allocated"] = False
    outputs = {"grid": grid_out}
    allocated = allocate_prepared(prep, scored)
    if allocated is not None:
        site_cells, site = allocated
        grid_out.loc[grid_out["cell_id"].isin(site_cells["cell_id"]), "allocated"] = True
        row = site.iloc[0]
        click.echo(
            f"site {row['site']} in {row['park']}: {int(row['cells'])} cells, "
            f"{row['area_km2']:.2f} km2 (requested {row['requested_km2']:g}), mean score "
            f"{row['mean_score']:.3f}, centre {row['centre_lon']:.4f}E {row['centre_lat']:.4f}N"
        )
        outputs["sites"] = site
    target = Path(out_dir) / "suitability.gpkg"
    styles = {k: v for k, v in qgis_styles().items() if k in outputs}
    write_vectors({k: v.to_crs(4326) for k, v in outputs.items()}, target, styles=styles)
    click.echo(f"wrote {target} (layers: {', '.join(outputs)})")
