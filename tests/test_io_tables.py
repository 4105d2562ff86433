"""lzgis.io.write_table: CSV with a BOM and formatted .xlsx, written atomically."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from lzgis._errors import OutputError
from lzgis.io import write_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": ["城关区", "七里河区", "all zones"],
            "area_km2": [220.123456, 397.0, 617.123456],
            "coverage": [0.3123456, float("nan"), 0.25],
        }
    )


def test_csv_starts_with_bom_and_rounds(tmp_path):
    out = tmp_path / "t.csv"
    write_table(_frame(), out, digits={"area_km2": 2, "coverage": 4})
    raw = out.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    lines = raw[3:].decode("utf-8").splitlines()
    assert lines[0] == "zone,area_km2,coverage"
    assert lines[1] == "城关区,220.12,0.3123"
    assert lines[2] == "七里河区,397.0,"  # unknown stays empty, never 0
    assert pd.read_csv(out).columns[0] == "zone"


def test_xlsx_headers_formats_total_and_sheets(tmp_path):
    out = tmp_path / "t.xlsx"
    write_table(
        _frame(),
        out,
        headers={"zone": "区县 / zone", "coverage": "覆盖率 / coverage"},
        number_formats={"coverage": "0.00%"},
        digits={"coverage": 4},
        total_rows=1,
        sheet_name="coverage",
        sheets={"method": pd.DataFrame({"item": ["crs"], "value": ["EPSG:32648"]})},
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["coverage", "method"]
    ws = wb["coverage"]
    assert [c.value for c in ws[1]] == ["区县 / zone", "area_km2", "覆盖率 / coverage"]
    assert ws.freeze_panes == "A2"
    assert ws["C2"].value == pytest.approx(0.3123)
    assert ws["C2"].number_format == "0.00%"
    assert ws["C3"].value is None
    assert ws["A4"].font.bold and not ws["A3"].font.bold
    assert wb["method"]["B2"].value == "EPSG:32648"


def test_vector_and_unknown_suffix(tmp_path):
    g = gpd.GeoDataFrame({"zone": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    write_table(g, tmp_path / "t.gpkg")
    assert gpd.read_file(tmp_path / "t.gpkg")["zone"].tolist() == ["a"]
    with pytest.raises(OutputError, match=r"\.txt.*fix"):
        write_table(_frame(), tmp_path / "t.txt")
    assert not (tmp_path / "t.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.gpkg"]


def test_xlsx_missing_values_of_every_kind_are_empty_cells(tmp_path):
    frame = pd.DataFrame(
        {
            "name": ["a", None, float("nan")],
            "passed": pd.array([True, pd.NA, False], dtype="boolean"),
            "code": pd.array([1, pd.NA, 3], dtype="Int64"),
            "rate": [0.5, float("nan"), float("inf")],
            "text": ["<b>&", "x\x01y", ""],
        }
    )
    out = tmp_path / "m.xlsx"
    write_table(frame, out, number_formats={"rate": "0.00%"}, total_rows=1)
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("a", True, 1, 0.5, "<b>&")
    assert rows[1] == (None, None, None, None, "xy")  # control characters cannot go into XML
    assert rows[2][:4] == (None, False, 3, None)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=64)),
            st.one_of(st.none(), st.text(alphabet="ab城&<>{}\"' ", max_size=6)),
            st.one_of(st.none(), st.integers(min_value=-(2**53), max_value=2**53)),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_xlsx_round_trips_every_cell_in_its_own_column(tmp_path_factory, rows, totals):
    """Cells are written without references, so a gap must never shift a value sideways."""
    frame = pd.DataFrame(rows, columns=["rate", "name", "code"])
    frame["code"] = frame["code"].astype("Int64")
    out = tmp_path_factory.mktemp("x") / "r.xlsx"
    write_table(frame, out, total_rows=min(totals, len(frame)))
    got = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(got) == len(frame)
    for (rate, name, code), row in zip(rows, got, strict=True):
        row = tuple(row) + (None,) * (3 - len(row))
        assert row[0] == (None if rate is None or rate != rate else pytest.approx(rate))
        assert row[1] == name
        assert row[2] == code


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, width=64)),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=0, max_value=6),
)
def test_xlsx_rounded_numbers_read_back_as_the_rounded_floats(tmp_path_factory, values, digits):
    """Rounded numbers go in as whole units of their last place (``1235E-4``): the same floats."""
    frame = pd.DataFrame({"x": pd.array(values, dtype="float64"), "y": 1.0})
    out = tmp_path_factory.mktemp("x") / "r.xlsx"
    write_table(frame, out, digits={"x": digits})
    got = [
        r[0]
        for r in openpyxl.load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    want = [None if v is None else float(pd.Series([v]).round(digits)[0]) for v in values]
    assert got == want  # exactly: never a different last bit
