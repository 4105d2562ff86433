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

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lzgis._errors import OutputError
from lzgis.io._files import DRIVERS, atomic_path, write_vector

__all__ = ["TABLE_SUFFIXES", "write_table"]

TABLE_SUFFIXES = (".csv", ".xlsx")
_MAX_WIDTH = 40


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


def _sheet(
    ws: Any,
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    formats: Mapping[str, str],
    total_rows: int,
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    names = [str(c) for c in frame.columns]
    ws.append([headers.get(c, c) for c in names])
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    n = len(frame)
    for j, col in enumerate(names, start=1):
        letter = get_column_letter(j)
        fmt = formats.get(col)
        if fmt:
            for i in range(2, n + 2):
                ws.cell(row=i, column=j).number_format = fmt
        width = max([len(str(headers.get(col, col)))] + [len(str(v)) for v in frame[col].head(200)])
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, width + 2))
    for i in range(max(2, n + 2 - total_rows), n + 2):
        for cell in ws[i]:
            cell.font = bold


def _write_xlsx(
    frame: pd.DataFrame,
    target: Path,
    *,
    headers: Mapping[str, str],
    formats: Mapping[str, str],
    total_rows: int,
    sheet_name: str,
    sheets: Mapping[str, pd.DataFrame],
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name[:31]
    _sheet(ws, frame, headers, formats, total_rows)
    for name, extra in sheets.items():
        _sheet(wb.create_sheet(name[:31]), extra, {}, {}, 0)
    with atomic_path(target) as tmp:
        wb.save(tmp)


def write_table(
    df: pd.DataFrame,
    path: str | Path,
    *,
    headers: Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
    total_rows: int = 0,
    sheet_name: str = "table",
    sheets: Mapping[str, pd.DataFrame] | None = None,
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
        ``.xlsx`` only: the main sheet's name and further sheets by name.

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
            total_rows=total_rows,
            sheet_name=sheet_name,
            sheets=sheets or {},
        )
        return
    if suffix in DRIVERS and isinstance(df, gpd.GeoDataFrame):
        write_vector(df, target)
        return
    raise OutputError(
        f"{target}: unknown table format {suffix or '(no suffix)'!r}; expected .csv or .xlsx"
        f"{' or a vector suffix' if isinstance(df, gpd.GeoDataFrame) else ''}; fix: change the suffix of `--out`"
    )
