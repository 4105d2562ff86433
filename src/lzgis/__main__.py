"""``python -m lzgis`` is the same as the ``lzgis`` command."""

from lzgis.cli import main

if __name__ == "__main__":
    main(prog_name="lzgis")
