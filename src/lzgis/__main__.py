"""``python -m lzgis`` is the same as the ``lzgis`` command (whose entry point is :func:`main`)."""

from __future__ import annotations

import os
import signal
from types import FrameType

_EARLY = b"Error: interrupted (Ctrl-C) while starting; nothing was read or written\n"


def _interrupted_while_starting(_signum: int, _frame: FrameType | None) -> None:
    os.write(2, _EARLY)
    os._exit(130)


def main() -> None:
    """Run the command line; Ctrl-C while the libraries load prints one line and exits 130."""
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    from lzgis.cli import main as cli

    cli(prog_name="lzgis")  # LzgisGroup.main restores KeyboardInterrupt and reports it in one line


if __name__ == "__main__":
    main()
