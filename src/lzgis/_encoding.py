"""Text encodings of Shapefile attribute tables (.dbf), and garbled names.

A Shapefile's ``.dbf`` says nothing reliable about its text encoding unless a
``.cpg`` file or the code-page byte (LDID, byte 29) names one. Files from
Chinese desktop GIS often have neither and hold GBK/GB18030 text, which GDAL
then reads as ISO-8859-1: every Chinese name comes out garbled ("Ãû³Æ").
:func:`dbf_encoding` looks at the bytes of the names and text fields: valid
UTF-8 is UTF-8; otherwise text that GB18030 decodes is GB18030.

Examples
--------
>>> looks_garbled(["Ãû³Æ", "code"])
True
>>> looks_garbled(["名称", "name_en"])
False
"""

from __future__ import annotations

import codecs
import logging
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "GARBLED_HINT",
    "dbf_encoding",
    "looks_garbled",
    "normalise_encoding",
    "read_encoding",
]

GARBLED_HINT = (
    "the names look garbled: the file's text encoding is the likely cause; "
    "fix: pass `--encoding gbk` (or add a .cpg file naming the encoding)"
)
_CHUNK = 1 << 20
_LOG = logging.getLogger("lzgis")
_NOTED: set[str] = set()


def normalise_encoding(name: str) -> str:
    """The canonical name of an encoding (``GBK`` → ``gbk``, ``UTF8`` → ``utf-8``).

    Raises
    ------
    LzgisError
        No such encoding (one line with the fix).
    """
    from lzgis._errors import LzgisError

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise LzgisError(
            f"`--encoding` is {name!r}: no such text encoding; expected e.g. gbk, gb18030, "
            "utf-8, big5; fix: correct the name"
        ) from None


def read_encoding(path: str | Path, encoding: str | None) -> str | None:
    """The encoding to read ``path``'s attributes with: ``encoding`` if given, else detected.

    Only Shapefiles are affected (GeoPackage and GeoJSON are UTF-8 by their
    specifications). A detected non-UTF-8 encoding is reported once per file
    as one line on the ``lzgis`` logger (the CLI prints it on stderr).
    """
    p = Path(path)
    if p.suffix.lower() not in {".shp", ".dbf"}:
        return None
    if encoding:
        return normalise_encoding(encoding)
    found = dbf_encoding(p)
    if found == "GB18030" and str(p) not in _NOTED:
        _NOTED.add(str(p))
        _LOG.warning(
            "%s: no .cpg and its text is not UTF-8; reading it as GB18030 (GBK), "
            "which decodes it; pass `--encoding` to force another",
            p,
        )
    return found


def _text_fields(header: bytes) -> list[tuple[int, int]]:
    """(offset in the record, length) of each character field, from the field descriptors."""
    out: list[tuple[int, int]] = []
    offset = 1  # the deletion flag
    for start in range(32, len(header) - 31, 32):
        desc = header[start : start + 32]
        if desc[0] == 0x0D:
            break
        kind, length = chr(desc[11]), desc[16]
        if kind == "C":
            length += desc[17] << 8  # long character fields keep the high byte in "decimals"
            out.append((offset, length))
        offset += length
    return out


def _dbf_texts(path: Path) -> Iterator[bytes]:
    """The field names and every character value of a .dbf, as raw bytes."""
    with open(path, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        header = head + fh.read(max(header_len - 32, 0))
        for start in range(32, len(header) - 31, 32):
            if header[start] == 0x0D:
                break
            yield header[start : start + 11].split(b"\0", 1)[0]
        fields = _text_fields(header)
        if not fields or record_len <= 0:
            return
        per_chunk = max(_CHUNK // record_len, 1)
        left = n_records
        while left > 0:
            block = fh.read(record_len * min(per_chunk, left))
            if not block:
                return
            for rec in range(0, len(block) - record_len + 1, record_len):
                for off, length in fields:
                    value = block[rec + off : rec + off + length].rstrip(b" \0")
                    if value:
                        yield value
            left -= per_chunk


def _decodes(texts: list[bytes], encoding: str) -> bool:
    try:
        for value in texts:
            value.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def dbf_encoding(path: str | Path) -> str | None:
    """The encoding a Shapefile's text must be read with when the file does not say, or None.

    None when the file names its encoding (a ``.cpg``, or a code-page byte
    GDAL understands), when all text is ASCII, or when neither UTF-8 nor
    GB18030 decodes it (GDAL's default then applies). Otherwise ``"UTF-8"``
    or ``"GB18030"`` (a superset of GBK and GB2312).
    """
    shp = Path(path)
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        upper = shp.with_suffix(".DBF")
        if not upper.exists():
            return None
        dbf = upper
    if shp.with_suffix(".cpg").exists() or shp.with_suffix(".CPG").exists():
        return None
    with open(dbf, "rb") as fh:
        head = fh.read(30)
    if len(head) < 30 or head[29] != 0:
        return None
    texts = [t for t in _dbf_texts(dbf) if not t.isascii()]
    if not texts:
        return None
    if _decodes(texts, "utf-8"):
        return "UTF-8"
    if _decodes(texts, "gb18030"):
        return "GB18030"
    return None


def looks_garbled(names: Iterable[object]) -> bool:
    """True when any name looks like text read in the wrong encoding.

    Signs: the replacement character, or two or more letters of the Latin-1
    supplement (``Ã``, ``³``, ``Æ``...) whose Latin-1 bytes decode as GB18030
    or UTF-8.
    """
    for name in names:
        text = str(name)
        if "\ufffd" in text:
            return True
        if sum("\x80" <= ch <= "\xff" for ch in text) >= 2:
            try:
                raw = text.encode("latin-1")
            except UnicodeEncodeError:
                continue
            for enc in ("utf-8", "gb18030"):
                try:
                    decoded = raw.decode(enc)
                except UnicodeDecodeError:
                    continue
                if decoded != text:
                    return True
    return False
