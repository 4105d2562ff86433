"""Tables for people: CSV that Excel reads (UTF-8 with BOM) and formatted ``.xlsx``.

:func:`write_table` picks the format by the suffix:

- ``.csv``: UTF-8 **with a byte-order mark** (Excel on a Chinese Windows
  machine reads it as UTF-8, not as GBK mojibake), stable column names,
  numbers rounded per column (``digits``);
- ``.xlsx`` (openpyxl): the header row in ``headers`` (e.g. bilingual
  "覆盖率 / coverage"), Excel number formats per column (``number_formats``,
  e.g. ``"0.00%"`` so a fraction shows as a percentage), a frozen bold
  header, the last ``total_rows`` rows in bold, and further sheets
  (``sheets``: e.g. the method and sources);
- ``.gpkg``/``.geojson``/``.shp`` for a GeoDataFrame: a vector file.

Every write is atomic (a temporary file, then a rename).

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> write_table(pd.DataFrame({"zone": ["城关区"], "coverage": [0.123456]}), out, digits={"coverage": 4})
>>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf", out.read_text(encoding="utf-8-sig").splitlines()[1]
(True, '城关区,0.1235')
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from lzgis._errors import OutputError
from lzgis.io._files import DRIVERS, atomic_path, write_vector

__all__ = [
    "PEOPLE_DIGITS",
    "TABLE_SUFFIXES",
    "Sheet",
    "for_people",
    "people_digits",
    "people_formats",
    "write_table",
]

TABLE_SUFFIXES = (".csv", ".xlsx")
_MAX_WIDTH = 40
# Decimal places by what a column holds (its name's ending), for tables people read:
# km² to 0.001 (1,000 m²: small wetlands and overlaps stay visible), km to 0.01 (10 m),
# metres whole, shares and rates as fractions 0-1 to 1e-4 (0.01 percentage point).
PEOPLE_DIGITS: dict[str, int] = {"_km2": 3, "_km": 2, "_m": 0, "rate": 4}
_RATE_NAMES = ("coverage", "unknown", "target", "share", "ratio")


def people_digits(columns: Iterable[str]) -> dict[str, int]:
    """Decimal places per column by its name (:data:`PEOPLE_DIGITS`); other columns are left out.

    ``*_km2`` 3, ``*_km`` 2, ``*_m`` 0; a name with ``coverage``, ``unknown``,
    ``target``, ``share`` or ``ratio`` (a fraction 0-1) 4.

    Examples
    --------
    >>> people_digits(["area_km2", "dist_river_km", "accuracy_m", "share_of_park", "name"])
    {'area_km2': 3, 'dist_river_km': 2, 'accuracy_m': 0, 'share_of_park': 4}
    """
    out: dict[str, int] = {}
    for col in map(str, columns):
        for suffix in ("_km2", "_km", "_m"):
            if col.endswith(suffix):
                out[col] = PEOPLE_DIGITS[suffix]
                break
        else:
            if any(word in col for word in _RATE_NAMES):
                out[col] = PEOPLE_DIGITS["rate"]
    return out


_EXCEL_FORMATS = {4: "0.00%", 3: "#,##0.000", 2: "#,##0.00", 0: "#,##0"}


def people_formats(columns: Iterable[str]) -> dict[str, str]:
    """Excel number formats matching :func:`people_digits`: rates as %, km² to 0.001, ...

    >>> people_formats(["coverage", "area_km2", "name"])
    {'coverage': '0.00%', 'area_km2': '#,##0.000'}
    """
    return {col: _EXCEL_FORMATS[n] for col, n in people_digits(columns).items()}


@dataclass(frozen=True)
class Sheet:
    """A further ``.xlsx`` sheet with its own header texts and number formats."""

    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    number_formats: Mapping[str, str] = field(default_factory=dict)


def for_people(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its numbers rounded for people (:func:`people_digits`); missing stays missing.

    No ``1.0000000000000002`` and no ``-0.0``; whole-number columns rounded to
    0 places (and a float ``tier``) become integers. The input is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> for_people(pd.DataFrame({"share_of_park": [1.0000000000000002, None],
    ...     "overlap_km2": [-3.6e-15, 0.0052401], "river_buffer_m": [500.0, 500.0]})).to_dict("list")
    {'share_of_park': [1.0, nan], 'overlap_km2': [0.0, 0.005], 'river_buffer_m': [500, 500]}
    """
    frame = df.copy()
    for col, n in people_digits(frame.columns).items():
        values = frame[col]
        if not pd.api.types.is_float_dtype(values):
            continue
        rounded = values.round(n) + 0.0  # + 0.0 turns -0.0 into 0.0
        frame[col] = rounded.astype("Int64") if n == 0 else rounded
    if "tier" in frame.columns and pd.api.types.is_float_dtype(frame["tier"]):
        tier = frame["tier"]
        if bool((tier.dropna() % 1 == 0).all()):
            frame["tier"] = tier.astype("Int64")
    return frame


def _rounded(df: pd.DataFrame, digits: Mapping[str, int] | None) -> pd.DataFrame:
    frame = pd.DataFrame(df.drop(columns="geometry")) if "geometry" in df.columns else df
    if not digits:
        return frame
    frame = frame.copy()
    for col, n in digits.items():
        if col in frame.columns and pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].round(n)
    return frame


def _cell(value: Any) -> Any:
    """A value openpyxl can store: NA/NaN become empty cells, numpy scalars Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


_ROWS_MARK = "__lzgis_rows__"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell_xml(value: Any, attr: str) -> str:
    """One ``<c>`` element of a mixed column (``attr``: its style attribute)."""
    v = _cell(value)
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return f"<c{attr}/>"
    if isinstance(v, bool):
        return f'<c{attr} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int | float):
        return f"<c{attr}><v>{v!r}</v></c>"
    text = escape(_ILLEGAL_XML.sub("", str(v)))
    return f'<c{attr} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _texts(items: list[str]) -> list[str]:
    """``items`` escaped for XML; a column with nothing to escape is returned as it is."""
    joined = "\n".join(items)
    if "&" in joined or "<" in joined or ">" in joined or _ILLEGAL_XML.search(joined):
        return [escape(_ILLEGAL_XML.sub("", v)) for v in items]
    return items


def _column_slots(
    values: pd.Series, attr: str, digits: int | None = None
) -> tuple[str, str, list[str]]:
    """One column as ``(before, after, slots)``: each cell is ``before + slot + after``.

    Cells are written without their ``r`` reference (optional in
    SpreadsheetML, and every cell of a row is written, an empty one as
    ``<c/>``), so a cell is its value between a fixed opening and closing.
    Numbers are written as Python's ``repr`` writes them (the shortest text
    that reads back the same float); numbers rounded to ``digits`` places
    as a whole number of units of the last place, ``1235E-4`` for 0.1235
    (as Excel writes 0.001: ``1E-3``; the same float, read back, and
    twice as fast to write). A column with empty cells carries whole cells
    in its slots instead (``before`` and ``after`` empty).

    >>> _column_slots(pd.Series([0.1235, 2.0]), "", 4)
    ('<c><v>', 'E-4</v></c>', ['1235', '20000'])
    >>> _column_slots(pd.Series(["a&b", None]), "")
    ('', '', ['<c t="inlineStr"><is><t xml:space="preserve">a&amp;b</t></is></c>', '<c/>'])
    """
    empty = f"<c{attr}/>"
    if pd.api.types.is_bool_dtype(values) and not values.isna().any():
        return f'<c{attr} t="b"><v>', "</v></c>", values.astype(int).astype(str).tolist()
    numeric = pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values)
    if numeric and not pd.api.types.is_bool_dtype(values):
        ints = pd.api.types.is_integer_dtype(values)
        nums = values.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(nums)
        exponent = ""
        if ints:
            texts = list(map(str, np.where(ok, nums, 0).astype(np.int64).tolist()))
        elif digits is not None and _units_fit(nums[ok], digits):
            units = np.rint(np.where(ok, nums, 0.0) * 10.0**digits).astype(np.int64)
            texts = list(map(str, units.tolist()))
            exponent = f"E-{digits}" if digits else ""
        else:
            # Python's repr is the shortest round-trip text, as numpy's, and ~6x faster
            texts = list(map(repr, nums.tolist()))
        if ok.all():
            return f"<c{attr}><v>", f"{exponent}</v></c>", texts
        return (
            "",
            "",
            [
                f"<c{attr}><v>{t}{exponent}</v></c>" if good else empty
                for t, good in zip(texts, ok.tolist(), strict=True)
            ],
        )
    items = values.tolist()
    missing = values.isna().tolist()
    opening, closing = f'<c{attr} t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"
    if isinstance(values.dtype, pd.StringDtype) or all(
        type(v) is str for v, m in zip(items, missing, strict=True) if not m
    ):  # text, perhaps with empty cells (a total row's attributes)
        if not any(missing):
            return opening, closing, _texts(items)
        present = iter(_texts([v for v, m in zip(items, missing, strict=True) if not m]))
        return "", "", [empty if m else opening + next(present) + closing for m in missing]
    return (
        "",
        "",
        [empty if m else _cell_xml(v, attr) for v, m in zip(items, missing, strict=True)],
    )


def _units_fit(nums: NDArray[np.float64], digits: int) -> bool:
    """Whether ``nums`` in units of ``10**-digits`` are whole numbers a float holds exactly."""
    return 0 <= digits <= 15 and bool(np.all(np.abs(nums) * 10.0**digits < 2.0**53))


def _rows_xml(
    frame: pd.DataFrame,
    plain: list[int],
    bold: list[int],
    total_rows: int,
    digits: Mapping[str, int] | None = None,
) -> str:
    """The data rows of a sheet as SpreadsheetML, from row 2 on.

    Each column is turned into text at once (:func:`_column_slots`); a row
    is then one ``str.format`` of a template holding the fixed parts of all
    its cells. The last ``total_rows`` rows use the bold styles.
    """
    n = len(frame)
    if not frame.shape[1] or not n:
        return ""
    out: list[str] = []
    first_total = n - total_rows
    for lo, hi, styles in ((0, first_total, plain), (first_total, n, bold)):
        if lo == hi:
            continue
        part = frame.iloc[lo:hi] if (lo, hi) != (0, n) else frame
        before, after, slots = [], [], []
        for j, (name, column) in enumerate(part.items()):
            attr = f' s="{styles[j]}"' if styles[j] else ""
            b, a, cells = _column_slots(column, attr, (digits or {}).get(str(name)))
            before.append(b.replace("{", "{{").replace("}", "}}"))
            after.append(a.replace("{", "{{").replace("}", "}}"))
            slots.append(cells)
        template = (
            '<row r="{}">' + "".join(f"{b}{{}}{a}" for b, a in zip(before, after, strict=True))
        ) + "</row>"
        out.extend(map(template.format, range(lo + 2, hi + 2), *slots))
    return "".join(out)


def _sheet(
    wb: Any,
    title: str,
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    formats: Mapping[str, str],
    total_rows: int,
    digits: Mapping[str, int] | None = None,
) -> str:
    """One sheet: bold frozen header, column widths; returns its data rows as XML.

    openpyxl (write-only) writes the sheet with the header and a marker row;
    the data rows are written by :func:`_rows_xml` with the style ids
    openpyxl registered for each column (plain and bold), which is about
    twenty times faster than one openpyxl cell object per value.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.views import Pane, Selection

    ws = wb.create_sheet(title[:31])
    ws.sheet_view.pane = Pane(ySplit=1, topLeftCell="A2", activePane="bottomLeft", state="frozen")
    ws.sheet_view.selection = [Selection(pane="bottomLeft", activeCell="A2", sqref="A2")]
    names = [str(c) for c in frame.columns]
    for j, col in enumerate(names, start=1):
        width = max([len(str(headers.get(col, col)))] + [len(str(v)) for v in frame[col].head(200)])
        ws.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, max(8, width + 2))

    def style_id(fmt: str | None, bold: bool) -> int:
        cell = WriteOnlyCell(ws)
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = Font(bold=True)
        return int(cell.style_id)

    header = []
    for col in names:
        cell = WriteOnlyCell(ws, value=headers.get(col, col))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    ws.append([_ROWS_MARK])
    plain = [style_id(formats.get(c), False) for c in names]
    bold = [style_id(formats.get(c), True) for c in names]
    return _rows_xml(frame, plain, bold, total_rows, digits)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry holds: the same bytes every run
_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _write_xlsx(
    frame: pd.DataFrame,
    target: Path,
    *,
    headers: Mapping[str, str],
    formats: Mapping[str, str],
    total_rows: int,
    sheet_name: str,
    sheets: Mapping[str, pd.DataFrame | Sheet],
    digits: Mapping[str, int] | None = None,
    reproducible: bool = False,
) -> None:
    """``frame`` (rounded to ``digits``) as the first sheet, ``sheets`` after it."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    rows = [_sheet(wb, sheet_name, frame, headers, formats, total_rows, digits)]
    for name, extra in sheets.items():
        more = extra if isinstance(extra, Sheet) else Sheet(extra)
        rows.append(
            _sheet(wb, name, _rounded(more.frame, None), more.headers, more.number_formats, 0)
        )
    staged = io.BytesIO()
    wb.save(staged)
    marker = re.compile(
        rb'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        + _ROWS_MARK.encode()
        + rb"</t></is></c></row>"
    )
    with (
        zipfile.ZipFile(staged) as src,
        atomic_path(target) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m:
                found = marker.search(data)
                if found is None:
                    raise OutputError(f"{target}: could not place the rows of sheet {m.group(1)}")
                sheet_rows = rows[int(m.group(1)) - 1].encode("utf-8")
                data = data[: found.start()] + sheet_rows + data[found.end() :]
            if reproducible and info.filename == "docProps/core.xml":  # no creation dates
                data = _DATES.sub(b"", data)
            entry = zipfile.ZipInfo(
                info.filename, date_time=_ZIP_TIME if reproducible else info.date_time
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data, compresslevel=1)  # fast; text compresses well


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    headers: Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
    total_rows: int = 0,
    sheet_name: str = "table",
    sheets: Mapping[str, pd.DataFrame | Sheet] | None = None,
    reproducible: bool = False,
) -> None:
    """Write a table atomically; the format follows the suffix (.csv, .xlsx, or a vector suffix).

    Parameters
    ----------
    df
        The table; a ``geometry`` column is dropped for .csv and .xlsx.
    path
        ``.csv`` (UTF-8 with BOM), ``.xlsx``, or for a GeoDataFrame ``.gpkg``,
        ``.geojson``, ``.shp``.
    headers
        ``.xlsx`` only: header text per column (default: the column name).
        CSV keeps the column names, so scripts can rely on them.
    number_formats
        ``.xlsx`` only: Excel number format per column, e.g. ``"0.00%"``,
        ``"#,##0.00"``.
    digits
        Decimal places per numeric column (CSV and .xlsx).
    total_rows
        ``.xlsx`` only: how many of the last rows are totals (shown bold).
    sheet_name, sheets
        ``.xlsx`` only: the main sheet's name and further sheets by name
        (a :class:`Sheet` for its own headers and number formats).
    reproducible
        ``.xlsx`` only: the same bytes for the same table (no creation
        dates, fixed zip times), e.g. for a committed report.

    Raises
    ------
    OutputError
        An unknown suffix.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        frame = _rounded(df, digits)
        with atomic_path(target) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        return
    if suffix == ".xlsx":
        _write_xlsx(
            _rounded(df, digits),
            target,
            headers=headers or {},
            formats=number_formats or {},
            digits=digits or {},
            total_rows=total_rows,
            sheet_name=sheet_name,
            sheets=sheets or {},
            reproducible=reproducible,
        )
        return
    if suffix in DRIVERS and isinstance(df, gpd.GeoDataFrame):
        write_vector(df, target)
        return
    raise OutputError(
        f"{target}: unknown table format {suffix or '(no suffix)'!r}; expected .csv or .xlsx"
        f"{' or a vector suffix' if isinstance(df, gpd.GeoDataFrame) else ''}; fix: change the suffix of `--out`"
    )
