"""Checks on paths: which layer of a file, and outputs that would replace inputs.

Two rules every command shares (:mod:`lzgis._validate` re-exports them):

- ``PATH.gpkg:LAYER`` names one layer of a multi-layer file; a file with
  several layers and none named is refused with the list of layer names
  (:func:`split_layer`, :func:`choose_layer`).
- An output never replaces an input: an output path that resolves (symlinks
  and ``..`` followed, case as the file system has it, Shapefile sidecars
  included) to any input is refused before anything is read or written
  (:func:`require_outputs_apart`).

Examples
--------
>>> split_layer("/no/such/city.gpkg:districts")
(PosixPath('/no/such/city.gpkg'), 'districts')
>>> split_layer("zones.geojson")
(PosixPath('zones.geojson'), None)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from lzgis._errors import LayerError, OutputError

__all__ = ["choose_layer", "require_outputs_apart", "same_file", "split_layer"]

_MULTI_LAYER = (".gpkg", ".sqlite", ".db", ".gdb", ".fgb", ".kml", ".gml", ".json", ".geojson")
_SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def split_layer(path: str | Path) -> tuple[Path, str | None]:
    """``"a.gpkg:roads"`` → (``a.gpkg``, ``"roads"``); a path without ``:LAYER`` → (path, None).

    The colon splits only when the part before it ends with a vector suffix
    and the whole text is not itself an existing file.
    """
    text = str(path)
    head, sep, layer = text.rpartition(":")
    if sep and layer and head.lower().endswith(_MULTI_LAYER) and not Path(text).exists():
        return Path(head), layer
    return Path(text), None


def choose_layer(path: Path, layer: str | None) -> str | None:
    """The layer to read from ``path``: ``layer`` when it exists, the only one, or a refusal.

    Returns None for single-layer files (the reader takes the only layer).
    Files GDAL cannot list are left to the reader, which names the problem.

    Raises
    ------
    LayerError
        ``layer`` is not in the file, or the file has several layers and none is named.
    """
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception:  # GDAL raises many types; the reader reports unreadable files
        return layer
    names = [str(row[0]) for row in listed]
    spatial = [str(row[0]) for row in listed if row[1] is not None]
    if layer is not None:
        if layer not in names:
            raise LayerError(
                f"{path}: has no layer {layer!r}; its layers are {', '.join(names) or 'none'}; "
                f"fix: name one of them, e.g. {path}:{(spatial or names or ['LAYER'])[0]}"
            )
        return layer
    if len(spatial) > 1:
        raise LayerError(
            f"{path}: has {len(spatial)} layers ({', '.join(spatial)}) and none is named; "
            f"fix: name one as PATH:LAYER, e.g. {path}:{spatial[0]}"
        )
    return None


def _family(path: Path) -> list[Path]:
    """The files a path stands for: a Shapefile's sidecars, or the path itself."""
    if path.suffix.lower() in _SHP_SIDECARS:
        upper = path.suffix.isupper()
        return [path.with_suffix(s.upper() if upper else s) for s in _SHP_SIDECARS]
    return [path]


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are one file.

    When both exist, the file system decides (same inode: symlinks, hard links
    and, on case-insensitive file systems, other spellings); otherwise the
    resolved paths (``..`` and symlinked folders followed) are compared.
    """
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(a.resolve()) == os.path.normcase(b.resolve())


def require_outputs_apart(
    outputs: Iterable[tuple[str, str | Path]],
    inputs: Iterable[tuple[str, str | Path]],
    *,
    folders: Iterable[tuple[str, str | Path]] = (),
) -> None:
    """Raise :class:`OutputError` when an output would replace an input.

    ``outputs`` and ``inputs`` are (label, path) pairs; labels name the option
    or layer (``--out``, ``--zones``, ``layer districts``). An output folder is
    given as the files it will hold, or in ``folders`` when it is written as
    a whole (then it may hold no input at all). ``PATH:LAYER`` inputs count as PATH.
    """
    ins = [(label, split_layer(p)[0]) for label, p in inputs]
    for out_label, folder in folders:
        root = Path(folder).resolve()
        for in_label, in_path in ins:
            resolved = in_path.resolve()
            if resolved == root or root in resolved.parents:
                raise OutputError(
                    f"`{out_label}` {folder} holds the input {in_label} {in_path} and is written "
                    "as a whole; an output never replaces an input; fix: choose another folder"
                )
    for out_label, out in outputs:
        out_path = Path(out)
        for in_label, in_path in ins:
            if any(same_file(o, i) for o in _family(out_path) for i in _family(in_path)):
                raise OutputError(
                    f"`{out_label}` {out_path} would replace the input {in_label} {in_path}; "
                    "an output never replaces an input; fix: write to another file or folder"
                )
