"""``publish`` on the embedded layers and the real analyses: every file, size limit, reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest

from lzgis.publish import MAPS, load_inputs, write_site

MAX_OVERVIEW_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def inputs() -> object:
    return load_inputs()


def test_embedded_site_is_complete_small_and_reproducible(inputs: object, tmp_path: Path) -> None:
    a = write_site(inputs, tmp_path / "a", basemap="none", offline=True)  # type: ignore[arg-type]
    b = write_site(inputs, tmp_path / "b", basemap="none", offline=True)  # type: ignore[arg-type]
    names = [p.name for p in a]
    assert [m[0] for m in MAPS] == names[: len(MAPS)] and "index.html" in names
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert (tmp_path / "a" / "overview.html").stat().st_size < MAX_OVERVIEW_BYTES
    overview = (tmp_path / "a" / "overview.html").read_text(encoding="utf-8")
    for layer_label in (
        "Districts",
        "3+8 parks",
        "Greening zones",
        "Wetlands",
        "Yellow River",
        "Plan projects",
    ):
        assert layer_label in overview
