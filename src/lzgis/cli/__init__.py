"""The ``lzgis`` command line: a thin click layer over the library.

Commands hold no logic: they parse options, call library functions and print.
Any :class:`lzgis.LzgisError` (bad input) becomes one line on stderr and exit
code 2, with no traceback.
"""

from __future__ import annotations

import os
from typing import Any

import click

from lzgis._errors import LzgisError
from lzgis.layers import CONFIG_ENV


class _Group(click.Group):
    """A click group that turns lzgis errors into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LzgisError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(
                f"Error: {where}{exc.strerror or exc}; fix: check the path and its permissions",
                err=True,
            )
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"TOML file whose [layers] table points layer ids at your own files (also ${CONFIG_ENV}).",
)
@click.version_option(package_name="lzgis")
def main(config: str | None) -> None:
    """lzgis: Lanzhou's 2012 multi-pole plan as layers, numbers and maps."""
    if config:
        os.environ[CONFIG_ENV] = config


def _register() -> None:
    from lzgis.cli.allocation import allocate, projects
    from lzgis.cli.greening import greening
    from lzgis.cli.layers import layers
    from lzgis.cli.publish import publish
    from lzgis.cli.suitability import suitability
    from lzgis.cli.trend import trend

    main.add_command(layers)
    main.add_command(allocate)
    main.add_command(projects)
    main.add_command(suitability)
    greening.add_command(trend)
    main.add_command(greening)
    main.add_command(publish)


_register()
