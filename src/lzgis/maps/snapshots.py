"""PNG snapshots of map pages rendered in headless Chromium (Debian ``chromium``).

A page is rendered first (``--dump-dom``) and must show a finished lzgis map
(the runtime marks ``<html data-lz-ready="1">``); a page whose map did not
render (Leaflet missing or broken) is refused with one line and no PNG is
written, instead of a blank picture.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lzgis._errors import OutputError
from lzgis.io import atomic_path

__all__ = [
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "check_rendered",
    "chromium_path",
    "has_chinese_font",
    "print_pdf",
    "snapshot",
]

CHROMIUM = "/usr/bin/chromium"
# Headless and quiet: this machine and intranets have no network for Chromium's own services.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium_path(*, purpose: str = "snapshots", fix: str = "or leave out `--snapshots`") -> Path:
    """The Chromium binary: /usr/bin/chromium, else ``chromium`` on PATH.

    Raises
    ------
    OutputError
        No Chromium, with the command that installs it.
    """
    if Path(CHROMIUM).exists():
        return Path(CHROMIUM)
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise OutputError(
        f"{purpose} needs Chromium and {CHROMIUM} does not exist (nor `chromium` on PATH); "
        f"fix: `apt-get install -y chromium` {fix}"
    )


def _run(cmd: list[str], target: Path, timeout_s: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise OutputError(
            f"{target}: Chromium took longer than {timeout_s:g} s; fix: retry"
        ) from None


def check_rendered(page: str | Path, *, timeout_s: float = 120.0) -> None:
    """Refuse ``page`` unless its lzgis map rendered in headless Chromium.

    Raises
    ------
    OutputError
        Chromium is missing or fails, or the map did not render.
    """
    browser = chromium_path()
    source = Path(page).resolve()
    with tempfile.TemporaryDirectory(prefix="lzgis-chromium-") as profile:
        cmd = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            source.as_uri(),
        ]
        run = _run(cmd, source, timeout_s)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise OutputError(f"{source}: Chromium failed ({last}); fix: check {browser} runs headless")
    if 'data-lz-ready="1"' not in run.stdout:
        raise OutputError(
            f"{source}: the map did not render (Leaflet or the page's assets/ did not load), "
            "so no snapshot was written; fix: keep assets/ beside the page or publish with --offline"
        )


def snapshot(
    page: str | Path,
    png: str | Path,
    *,
    width: int = 1200,
    height: int = 800,
    timeout_s: float = 120.0,
) -> Path:
    """Render the HTML file ``page`` to ``png`` (written atomically) and return ``png``.

    Raises
    ------
    OutputError
        Chromium is missing, fails or writes nothing, or the map did not
        render (:func:`check_rendered`; then no PNG is written).
    """
    check_rendered(page, timeout_s=timeout_s)
    browser = chromium_path()
    source = Path(page).resolve()
    target = Path(png)
    with (
        tempfile.TemporaryDirectory(prefix="lzgis-chromium-") as profile,
        atomic_path(target) as tmp,
    ):
        cmd = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--virtual-time-budget=5000",
            f"--screenshot={tmp}",
            source.as_uri(),
        ]
        run = _run(cmd, target, timeout_s)
        if run.returncode != 0 or not tmp.exists():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            raise OutputError(
                f"{target}: Chromium failed ({last}); fix: check {browser} runs headless"
            )
    return target


def has_chinese_font() -> bool | None:
    """Whether fontconfig knows a font for Chinese (None when ``fc-list`` is missing).

    Without one, Chromium draws Chinese text in snapshots and PDFs as boxes.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    run = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(run.stdout.strip())


def print_pdf(page: str, pdf: str | Path, *, timeout_s: float = 120.0) -> Path:
    """Print the HTML text ``page`` to ``pdf`` (A4 from the page's print styles), atomically.

    The page is written to a temporary folder and printed by headless
    Chromium (``--print-to-pdf``, no header or footer).

    Raises
    ------
    OutputError
        Chromium is missing, fails or writes nothing.
    """
    browser = chromium_path(purpose="a PDF report", fix="or write `--out report.html`")
    target = Path(pdf)
    with (
        tempfile.TemporaryDirectory(prefix="lzgis-chromium-") as work,
        atomic_path(target) as tmp,
    ):
        source = Path(work) / "report.html"
        source.write_text(page, encoding="utf-8")
        cmd = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={tmp}",
            source.as_uri(),
        ]
        try:
            run = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise OutputError(
                f"{target}: Chromium took longer than {timeout_s:g} s; fix: retry"
            ) from None
        if run.returncode != 0 or not tmp.exists():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            raise OutputError(
                f"{target}: Chromium failed ({last}); fix: check {browser} runs headless"
            )
    return target
