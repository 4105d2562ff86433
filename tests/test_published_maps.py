"""The committed maps/ are exactly what `lzgis publish` writes from the committed layers.

So a diff of maps/ in a commit shows real changes only, and a stale map set
(layers or code changed, maps not republished) fails here: run `lzgis publish`.
"""

from __future__ import annotations

import re
from pathlib import Path

from lzgis.publish import publish

COMMITTED = Path(__file__).resolve().parents[1] / "maps"


def test_committed_maps_match_a_fresh_publish(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    written = publish(out)
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in written}
    assert sorted(fresh) == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    )  # publish lists every file it writes, assets/ included
    committed = {
        p.relative_to(COMMITTED).as_posix(): p.read_bytes()
        for p in COMMITTED.rglob("*")
        if p.is_file()
    }
    assert sorted(committed) == sorted(fresh)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert stale == [], f"maps/ is stale for {stale}; fix: run `lzgis publish` and commit maps/"


INTERNAL = re.compile(r"shared/|\b[\w-]+\.(?:md|tsv)\b")  # the reference folder's notes files
REPO = COMMITTED.parent


def test_nothing_people_read_names_an_internal_path() -> None:
    """Layer texts, the layer catalogue and the published tables and pages cite public
    sources or "lzgis 地名表 / lzgis gazetteer", never files of the reference folder."""
    texts = {
        p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8")
        for p in [
            *(REPO / "layers").glob("*.geojson"),
            REPO / "layers" / "catalog.toml",
            *COMMITTED.glob("*.csv"),
            *COMMITTED.glob("*.html"),
        ]
    }
    import openpyxl

    book = openpyxl.load_workbook(COMMITTED / "report_tables.xlsx", read_only=True)
    texts["maps/report_tables.xlsx"] = "\n".join(
        str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
    )
    found = {name: INTERNAL.findall(text)[:3] for name, text in texts.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert "lzgis 地名表 / lzgis gazetteer: " in texts["maps/projects.csv"]


def test_every_id_people_read_has_its_names_beside_it() -> None:
    """projects.csv and conflicts.csv keep their ids for scripts, and name each one
    (Chinese first) in the next column; an id without a name there would be a gap."""
    import pandas as pd

    from lzgis.tables import layer_name, names

    features = names()  # the embedded layers' "中文 / English" by id
    checked = 0
    for table, columns in {
        "projects.csv": ["district", "park", "park_plan", "zones", "edge_park"],
        "conflicts.csv": ["protected_layer", "protected_id"],
        "allocation.csv": ["parent"],
    }.items():
        frame = pd.read_csv(COMMITTED / table, dtype=str, keep_default_na=False)
        for col in columns:
            lookup = (
                {i: layer_name(i) for i in frame[col] if i}
                if col == "protected_layer"
                else features
            )
            label = col.removesuffix("_id") + "_name"
            assert list(frame.columns).index(label) == list(frame.columns).index(col) + 1
            for ids, named in zip(frame[col], frame[label], strict=True):
                parts = [p.strip() for p in ids.split(",") if p.strip()]
                assert named.split("; ") == [lookup[p] for p in parts] if parts else named == ""
                assert not parts or re.search(r"[\u4e00-\u9fff]", named)  # Chinese first
                checked += len(parts)
    assert checked > 100
