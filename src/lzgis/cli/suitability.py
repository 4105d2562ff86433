"""``lzgis suitability``: score a grid against a criteria file and allocate a site."""

from __future__ import annotations

from pathlib import Path

import click

from lzgis.io import write_vectors
from lzgis.suitability_file import read_criteria, run_criteria


@click.command("suitability")
@click.option(
    "--criteria",
    "criteria_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Criteria TOML file (see src/lzgis/data/suitability_example.toml).",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder."
)
@click.option(
    "--cell-m", type=float, default=None, help="Cell edge in metres (overrides the file's cell_m)."
)
def suitability(criteria_path: str, out_dir: str, cell_m: float | None) -> None:
    """Weighted-overlay suitability and site allocation -> OUT/suitability.gpkg.

    Layers: `grid` (every cell: criteria, masked_by, score, allocated) and
    `sites` (the dissolved allocated site). Nothing is written on error.
    """
    spec = read_criteria(criteria_path)
    with click.progressbar(
        length=spec.steps, label="scoring", file=click.get_text_stream("stderr")
    ) as bar:
        result = run_criteria(spec, cell_m=cell_m, on_step=lambda _name: bar.update(1))
    for note in result.notes:
        click.echo(f"note: {note}")
    method = "AHP" if result.consistency_ratio is not None else "direct"
    click.echo(
        f"weights ({method}): " + ", ".join(f"{k} {v:.3f}" for k, v in result.weights.items())
    )
    if result.consistency_ratio is not None:
        click.echo(f"consistency ratio: {result.consistency_ratio:.3f} (limit 0.1)")
    scored = result.scored
    masked = scored["score"].isna()
    cell_km2 = scored.attrs["cell_m"] ** 2 / 1e6
    click.echo(
        f"cells: {len(scored)} of {scored.attrs['cell_m']:g} m; masked {int(masked.sum())} "
        f"({masked.mean():.1%}); free {int((~masked).sum()) * cell_km2:.1f} km2"
    )
    grid_out = scored.copy()
    grid_out["allocated"] = False
    outputs = {"grid": grid_out}
    if result.site is not None and result.site_cells is not None:
        grid_out.loc[grid_out["cell_id"].isin(result.site_cells["cell_id"]), "allocated"] = True
        site = result.site.iloc[0]
        click.echo(
            f"site {site['site']} in {site['park']}: {int(site['cells'])} cells, "
            f"{site['area_km2']:.2f} km2 (requested {site['requested_km2']:g}), mean score "
            f"{site['mean_score']:.3f}, centre {site['centre_lon']:.4f}E {site['centre_lat']:.4f}N"
        )
        outputs["sites"] = result.site
    target = Path(out_dir) / "suitability.gpkg"
    write_vectors({k: v.to_crs(4326) for k, v in outputs.items()}, target)
    click.echo(f"wrote {target} (layers: {', '.join(outputs)})")
