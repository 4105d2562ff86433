"""The ``lzgis`` command line: a thin click layer over the library.

Commands hold no logic: they parse options, call library functions and print.
Any :class:`lzgis.LzgisError` (bad input) and any usage error becomes one line
on stderr and exit code 2, with no traceback; Ctrl-C one line and exit code
130; an output that would replace an input is refused before anything runs
(:mod:`lzgis.cli._base`).
"""

from __future__ import annotations

import os

import click

from lzgis.cli._base import LzgisGroup
from lzgis.layers import CONFIG_ENV


@click.group(cls=LzgisGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"TOML file whose [layers] table points layer ids at your own files (also ${CONFIG_ENV}).",
)
@click.version_option(package_name="lzgis")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """lzgis: Lanzhou's 2012 multi-pole plan as layers, numbers and maps."""
    if config:
        previous = os.environ.get(CONFIG_ENV)
        os.environ[CONFIG_ENV] = config
        ctx.call_on_close(lambda: _restore(previous))


def _restore(previous: str | None) -> None:
    """Put ``$LZGIS_CONFIG`` back as it was (``--config`` holds for one run, also in-process)."""
    if previous is None:
        os.environ.pop(CONFIG_ENV, None)
    else:
        os.environ[CONFIG_ENV] = previous


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
