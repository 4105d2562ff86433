"""What every ``lzgis`` command shares: one-line errors, input/output paths, progress, notes.

- :class:`LzgisGroup` turns lzgis errors, OS errors and click usage errors into
  one ``Error:`` line with the fix and exit code 2, Ctrl-C into one line and
  exit code 130, keeps Python warnings from the user, and prints the library's
  notes (the ``lzgis`` logger) as ``note:`` lines on stderr.
- :class:`LzgisCommand` refuses, before anything is read or written, an output
  that would replace an input (:func:`lzgis._validate.require_outputs_apart`):
  the inputs are every :data:`INPUT` option, the config and the layer files
  it points at, and what the command adds (``extra_inputs``); the outputs are
  every :data:`OUTPUT` option and :class:`OutputFolder`'s files.
- :func:`progress` is a progress bar on a terminal that leaves nothing behind
  when an error interrupts it; elsewhere one line when done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from lzgis._encoding import normalise_encoding
from lzgis._errors import LzgisError
from lzgis._paths import require_outputs_apart

__all__ = [
    "INPUT",
    "OUTPUT",
    "InputPath",
    "LzgisCommand",
    "LzgisGroup",
    "OutputFolder",
    "OutputPath",
    "encoding_option",
    "progress",
]

INTERRUPTED = (
    "Error: interrupted (Ctrl-C); files being written were discarded, none is half-written"
)


class InputPath(click.Path):
    """A file the command reads (``PATH.gpkg:LAYER`` allowed)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from lzgis._paths import split_layer

        path, layer = split_layer(value)
        checked = os.fsdecode(super().convert(str(path), param, ctx))
        return f"{checked}:{layer}" if layer else checked


class OutputPath(click.Path):
    """A file the command writes."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False)


class OutputFolder(click.Path):
    """A folder the command writes ``files`` into; ``files=None``: the folder is the output as a whole."""

    def __init__(self, files: Sequence[str] | None) -> None:
        super().__init__(file_okay=False)
        self.files = tuple(files) if files is not None else None


INPUT = InputPath()
OUTPUT = OutputPath()


def _paths(ctx: click.Context, params: Sequence[click.Parameter]) -> dict[str, list[Any]]:
    """The command's inputs, output files and whole output folders, as (label, path) pairs."""
    found: dict[str, list[Any]] = {"inputs": [], "files": [], "folders": []}
    for param in params:
        value = ctx.params.get(param.name or "")
        if value is None or value == ():
            continue
        label = param.opts[0] if param.opts else str(param.name)
        values = value if isinstance(value, tuple) else (value,)
        kind = param.type
        if isinstance(kind, InputPath):
            found["inputs"] += [(label, v) for v in values]
        elif isinstance(kind, OutputFolder) and kind.files is None:
            found["folders"] += [(label, Path(v)) for v in values]
        elif isinstance(kind, OutputFolder):
            found["files"] += [(label, Path(v) / name) for v in values for name in kind.files or ()]
        elif isinstance(kind, OutputPath):
            found["files"] += [(label, Path(v)) for v in values]
    return found


class LzgisCommand(click.Command):
    """A command that refuses outputs replacing inputs before it runs.

    ``extra_inputs(params)`` returns further (label, path) inputs the options
    imply (e.g. the files a criteria file names).
    """

    def __init__(
        self,
        *args: Any,
        extra_inputs: Callable[[dict[str, Any]], list[tuple[str, Path]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.extra_inputs = extra_inputs

    def invoke(self, ctx: click.Context) -> Any:
        paths = _paths(ctx, self.params)
        if paths["files"] or paths["folders"]:
            from lzgis.layers import input_paths

            inputs = paths["inputs"] + input_paths()
            if self.extra_inputs is not None:
                inputs += self.extra_inputs(ctx.params)
            require_outputs_apart(paths["files"], inputs, folders=paths["folders"])
        return super().invoke(ctx)


def _check_encoding(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return normalise_encoding(value) if value else None


encoding_option = click.option(
    "--encoding",
    default=None,
    callback=_check_encoding,
    help="Text encoding of Shapefile inputs without a .cpg, e.g. gbk (default: detected; "
    "GB18030 when the text is not UTF-8 but decodes as GB18030).",
)


# --- errors -------------------------------------------------------------------


def _prog(ctx: click.Context | None) -> str:
    parts = ctx.command_path.split() if ctx is not None else []
    return " ".join(["lzgis", *parts[1:]])


def _usage_line(exc: click.UsageError) -> str:
    """One line: click's message and the fix."""
    message = " ".join(exc.format_message().split()).rstrip(".?")
    if "fix:" in message:
        return f"Error: {message}"
    param = getattr(exc, "param", None)
    kind = getattr(param, "type", None)
    help_ = f"see `{_prog(exc.ctx)} --help`"
    if isinstance(exc, click.MissingParameter):
        fix = f"add it; {help_}"
    elif isinstance(exc, click.BadParameter) and kind is not None:
        if isinstance(kind, click.types.FloatParamType):
            fix = "write a number with a decimal point, e.g. 0.3"
        elif isinstance(kind, click.types.IntParamType):
            fix = "write a whole number, e.g. 1"
        elif isinstance(kind, click.Path) and "is a directory" in message:
            fix = "give a file's path, not a folder"
        elif isinstance(kind, click.Path) and "is a file" in message:
            fix = "give a folder's path, not a file"
        elif isinstance(kind, click.Choice):
            fix = "use one of the values listed"
        else:
            fix = help_
    elif isinstance(exc, click.NoSuchOption):
        fix = f"check the spelling; {help_}"
    else:
        fix = help_
    return f"Error: {message}; fix: {fix}"


class _NoteHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"note: {record.getMessage()}", err=True)


def _install_notes() -> None:
    log = logging.getLogger("lzgis")
    if not any(isinstance(h, _NoteHandler) for h in log.handlers):
        log.addHandler(_NoteHandler())
    log.setLevel(logging.INFO)


class LzgisGroup(click.Group):
    """A click group whose commands share the error handling described in the module doc."""

    command_class = LzgisCommand
    group_class = type  # subgroups are LzgisGroups too

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LzgisError as exc:
            click.echo(f"Error: {' '.join(str(exc).split())}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo(INTERRUPTED, err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            click.echo(
                f"Error: {where}{exc.strerror or exc}; fix: check the path and its permissions",
                err=True,
            )
            ctx.exit(2)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; with ``standalone_mode`` (the default) exit with its code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        _install_notes()
        try:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.default_int_handler)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            click.echo(_usage_line(exc), err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo(INTERRUPTED, err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


# --- progress -----------------------------------------------------------------


@contextlib.contextmanager
def progress(length: int | Callable[[], int], label: str) -> Iterator[Any]:
    """A progress bar (stderr) with ``update(n)``.

    On a terminal: click's bar, erased (not left on the line) when an error
    interrupts the work. Elsewhere (logs, pipes): nothing while working and
    ``LABEL: done`` at the end, so an error is never preceded by a label.
    ``length`` may be a function, called only for a bar on a terminal (counting
    a raster's windows means planning the zones once more: 0.05 s at 10,000).
    """
    if not sys.stderr.isatty():

        class _Quiet:
            def update(self, n: int) -> None:
                pass

        yield _Quiet()
        click.echo(f"{label}: done", err=True)
        return
    total = length() if callable(length) else length
    bar = click.progressbar(length=total, label=label, file=sys.stderr)
    bar.__enter__()
    try:
        yield bar
    except BaseException:
        sys.stderr.write("\r\033[K\033[?25h")  # erase the bar's line, show the cursor
        sys.stderr.flush()
        raise
    bar.__exit__(None, None, None)
