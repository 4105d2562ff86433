"""PNG snapshots rendered by headless Chromium."""

from __future__ import annotations

from pathlib import Path

import maps_fixtures as fx
import pytest

from lzgis._errors import OutputError
from lzgis.maps import MapOptions
from lzgis.maps import snapshots as snap
from lzgis.maps.overview import overview_map

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_snapshot_writes_a_png(tmp_path: Path) -> None:
    if not Path(snap.CHROMIUM).exists():
        pytest.fail(f"{snap.CHROMIUM} is missing; fix: `apt-get install -y chromium`")
    page = tmp_path / "overview.html"
    overview_map(fx.layers(), options=MapOptions(basemap="none", offline=True)).save(page)
    out = snap.snapshot(page, tmp_path / "overview.png", width=640, height=400)
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert int.from_bytes(data[16:20], "big") == 640  # IHDR width
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overview.html", "overview.png"]


def test_snapshot_without_chromium_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snap, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OutputError, match="apt-get install -y chromium"):
        snap.snapshot(tmp_path / "x.html", tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
