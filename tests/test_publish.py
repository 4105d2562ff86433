"""``lzgis publish`` and the site writer: files, reproducibility, options, errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import maps_fixtures as fx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from lzgis import publish as pub
from lzgis import tables as _tables
from lzgis.cli import main
from lzgis.publish import MAPS, resolve_basemap, write_site


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_publishing_twice_gives_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_site(fx.results(fx.layers()), tmp_path / run, basemap="none", offline=True)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(a) == {m[0] for m in MAPS} | {
        "index.html",
        "greening_report.csv",
        "allocation.csv",
        "conflicts.csv",
        "projects.csv",
        "report_tables.xlsx",
    }
    assert a == b
    assert not [
        p for p in (tmp_path / "a").rglob("*") if p.name.startswith(".")
    ]  # no temp files left


def test_default_site_writes_assets_once_beside_the_pages(tmp_path: Path) -> None:
    written = write_site(fx.results(fx.layers()), tmp_path, basemap="osm", offline=False)
    rel = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert "assets/leaflet/leaflet.js" in rel and "assets/leaflet/LICENSE" in rel
    assert rel.count("assets/leaflet/leaflet.js") == 1
    assert "assets/lzgis/lzgis.js" in rel and "assets/lzgis/lzgis.css" in rel  # the runtime once
    assert (
        sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
        == rel
    )
    for name, _, _ in MAPS:
        page = (tmp_path / name).read_text(encoding="utf-8")
        assert '<script src="assets/leaflet/leaflet.js"></script>' in page
        assert '<script src="assets/lzgis/lzgis.js?v=' in page and "var lz = " not in page
        assert "cdn.jsdelivr" not in page


def test_report_tables_are_written_without_geometry(tmp_path: Path) -> None:
    inputs = fx.results(fx.layers())
    write_site(inputs, tmp_path, basemap="none", offline=False)
    report = pd.read_csv(tmp_path / "greening_report.csv")
    # the report's columns, with `verdict_note` after the verdict columns (the
    # fixture has no `basis`: planned zones, as on the pages, so no verdicts)
    columns = [c for c in inputs.report.columns if c != "geometry"]
    assert list(report.columns) == [*columns, "verdict_note"]
    assert report["zone"].tolist() == ["city", "chengguan", "qilihe", "hitech_yantan"]
    assert report[["target", "passed", "shortfall_km2"]].isna().all().all()
    assert set(report["verdict_note"]) == {"无实测数据，不作判定 / not measured: no verdict"}
    conflicts = pd.read_csv(tmp_path / "conflicts.csv")
    assert conflicts["rule"].tolist() == [fx.XSS]  # CSV keeps data as it is


def test_offline_defaults_to_no_basemap() -> None:
    assert resolve_basemap(None, offline=True) == "none"
    assert resolve_basemap(None, offline=False) == "osm"
    assert resolve_basemap("gaode", offline=True) == "gaode"


@pytest.fixture
def fixture_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pub, "load_inputs", lambda **_: fx.results(fx.layers()))


@pytest.mark.usefixtures("fixture_inputs")
def test_cli_publish_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["publish", "--out", str(out), "--offline"])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and (out / "overview.html").exists()
    assert str(out / "projects.html") in result.stdout
    assert "<script src=" not in (out / "overview.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("fixture_inputs")
def test_cli_warns_that_offline_network_tiles_will_not_load(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--out", str(tmp_path), "--offline", "--basemap", "osm"]
    )
    assert result.exit_code == 0, result.output
    assert "tiles need a network" in result.stderr
    assert "tile.openstreetmap.org" in (tmp_path / "overview.html").read_text(encoding="utf-8")


def test_cli_refuses_tianditu_without_a_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--out", str(tmp_path), "--basemap", "tianditu"])
    assert result.exit_code == 2
    assert "Error: `--basemap tianditu` needs a Tianditu key" in result.stderr
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_separate_processes_with_different_hash_seeds_write_identical_files(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    tests_dir = Path(__file__).parent
    src = tests_dir.parent / "src"
    code = (
        "import sys; import maps_fixtures as fx; from lzgis.publish import write_site; "
        "write_site(fx.results(fx.layers()), sys.argv[1], basemap='osm', offline=False)"
    )
    for seed, run in (("1", "a"), ("2", "b")):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(src), str(tests_dir)]),
        }
        subprocess.run([sys.executable, "-c", code, str(tmp_path / run)], check=True, env=env)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


@pytest.mark.usefixtures("fixture_inputs")
def test_progress_steps_and_snapshot_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shots: list[tuple[str, str]] = []

    def fake_snapshot(page: Path, png: Path) -> Path:
        shots.append((Path(page).name, Path(png).name))
        return Path(png)

    monkeypatch.setattr(pub, "snapshot", fake_snapshot)
    steps: list[str] = []
    pub.publish(tmp_path, offline=True, snapshots=True, progress=steps.append)
    assert len(steps) == pub.step_count(snapshots=True)
    assert steps[0] == "analyses" and steps[-1] == "projects.png"
    assert shots == [(m[0], m[0].replace(".html", ".png")) for m in MAPS]


def test_kill_9_at_any_moment_leaves_one_whole_set_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    """`lzgis publish` killed with SIGKILL at several moments of a run, alternating two
    variants (their pages differ): the folder always holds exactly one run's complete set."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    variants = {"osm": ["--basemap", "osm"], "none": ["--offline"]}

    def command(out: Path, variant: str) -> list[str]:
        return [sys.executable, "-m", "lzgis", "publish", "--out", str(out), *variants[variant]]

    def complete(out: Path, variant: str) -> float:
        began = time.monotonic()
        subprocess.run(command(out, variant), env=env, check=True, capture_output=True)
        return time.monotonic() - began

    out = tmp_path / "maps"
    duration = complete(tmp_path / "ref_none", "none")
    duration = max(duration, complete(out, "osm"))
    refs = {"osm": _files(out), "none": _files(tmp_path / "ref_none")}
    assert refs["osm"] != refs["none"]
    extra = set(refs["osm"]) - set(refs["none"])  # the online set also holds assets/
    assert set(refs["none"]) < set(refs["osm"]) and all(f.startswith("assets/") for f in extra)

    def files_in_temporary() -> int:
        counts = [-1]
        for t in tmp_path.glob(".maps.lzgis-new-*"):
            with contextlib.suppress(FileNotFoundError):  # swapped in or removed meanwhile
                counts.append(len(list(t.iterdir())))
        return max(counts)

    # moments: fractions of a run's time, and (polled) the temporary set holding k files
    moments: list[tuple[str, float | int]] = [("time", f) for f in (0.4, 0.8)]
    moments += [("files", k) for k in (0, 1, 4, 8)]
    seen = []
    for i, (kind, at) in enumerate(moments):
        proc = subprocess.Popen(
            command(out, "none" if i % 2 == 0 else "osm"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if kind == "time":
            time.sleep(at * duration)
        else:
            while proc.poll() is None and files_in_temporary() < at:
                time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _files(out)
        assert now in (refs["osm"], refs["none"]), f"mixed set after a kill at {kind} {at}"
        seen.append(files_in_temporary())
    assert max(seen) >= 0  # some kills did land while a set was being written
    complete(out, "none")
    assert _files(out) == refs["none"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maps", "ref_none"]  # no temporaries


def test_concurrent_publishes_in_separate_processes_leave_one_whole_set(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    tests_dir = Path(__file__).parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tests_dir.parent / "src"), str(tests_dir)]),
    }
    code = (
        "import sys; import maps_fixtures as fx; from lzgis.publish import write_site; "
        "write_site(fx.results(fx.layers()), sys.argv[1], basemap=sys.argv[2], "
        "offline=sys.argv[2] == 'none')"
    )
    refs = {}
    for basemap in ("osm", "none"):
        write_site(
            fx.results(fx.layers()),
            tmp_path / f"ref_{basemap}",
            basemap=basemap,
            offline=basemap == "none",
        )
        refs[basemap] = _files(tmp_path / f"ref_{basemap}")
    out = tmp_path / "site"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(out), basemap], env=env)
        for basemap in ("osm", "none", "osm", "none")
    ]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    assert _files(out) in (refs["osm"], refs["none"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref_none", "ref_osm", "site"]


def _measured(inputs: pub.Inputs) -> pub.Inputs:
    report = inputs.report.assign(basis=["measured", "measured", "planned_zones", "measured"])
    return pub.Inputs(**{**inputs.__dict__, "report": report})


def test_planned_zones_get_no_verdict_and_measured_zones_keep_theirs(tmp_path: Path) -> None:
    write_site(_measured(fx.results(fx.layers())), tmp_path, basemap="none", offline=True)
    text = (tmp_path / "greening_report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].endswith("coverage,unknown,target,passed,shortfall_km2,verdict_note,basis")
    rows = {line.split(",")[0]: line for line in text[1:]}
    assert rows["city"].endswith("0.25,0.0,0.3,False,10.0,,measured")
    assert rows["chengguan"].endswith("0.4,0.0,0.35,True,0.0,,measured")
    # the planned zone: its share, and no target, pass/fail or shortfall
    assert rows["qilihe"].endswith(
        "0.1,0.0,,,,无实测数据，不作判定 / not measured: no verdict,planned_zones"
    )


def test_published_numbers_are_rounded_for_people_and_unknown_stays_empty(tmp_path: Path) -> None:
    inputs = fx.results(fx.layers())
    report = inputs.report.assign(
        basis="measured",
        area_km2=[200.00049, 100.0, 100.0, 4.0],
        coverage=[0.2500000000000002, 0.40004, 0.1, np.nan],
        shortfall_km2=[-3.6e-15, 0.0, 25.123456, np.nan],
    )
    projects = inputs.projects.assign(accuracy_m=[500.0, 2000.0, np.nan])
    write_site(
        pub.Inputs(**{**inputs.__dict__, "report": report, "projects": projects}),
        tmp_path,
        basemap="none",
        offline=True,
    )
    raw = (tmp_path / "greening_report.csv").read_text(encoding="utf-8-sig")
    assert "0000000" not in raw and "-0.0" not in raw
    got = pd.read_csv(tmp_path / "greening_report.csv").set_index("zone")
    assert got.loc["city", "area_km2"] == 200.0  # km² to 0.001
    assert got.loc["city", "coverage"] == 0.25 and got.loc["chengguan", "coverage"] == 0.4
    assert got.loc["city", "shortfall_km2"] == 0.0
    assert got.loc["qilihe", "shortfall_km2"] == 25.123
    assert np.isnan(got.loc["hitech_yantan", "coverage"])  # unknown: empty, not 0
    lines = (tmp_path / "projects.csv").read_text(encoding="utf-8-sig").splitlines()
    col = lines[0].split(",").index("accuracy_m")
    assert [line.split(",")[col] for line in lines[1:]] == ["500", "2000", ""]


def test_workbook_holds_every_table_with_bilingual_headers_and_percentages(tmp_path: Path) -> None:
    import openpyxl

    inputs = _measured(fx.results(fx.layers()))
    write_site(inputs, tmp_path, basemap="none", offline=True)
    book = openpyxl.load_workbook(tmp_path / "report_tables.xlsx")
    assert book.sheetnames == [
        "绿化 greening",
        "园区用地 allocation",
        "冲突 conflicts",
        "项目 projects",
    ]
    sheet = book["绿化 greening"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["分区代码 / zone id", "分区 / zone"]
    col = header.index("绿地占比 / share green") + 1
    cell = sheet.cell(row=2, column=col)  # the city: 25% green
    assert cell.value == 0.25 and cell.number_format == "0.00%"
    verdict = header.index("达标 / passed") + 1
    assert [sheet.cell(row=r, column=verdict).value for r in (2, 3, 4)] == [False, True, None]
    # as many rows as the CSV, the same values (the CSV has them rounded the same way)
    csv = pd.read_csv(tmp_path / "greening_report.csv")
    assert sheet.max_row == len(csv) + 1
    conflicts = book["冲突 conflicts"]
    assert [c.value for c in conflicts[1]][-1] == "规则 / rule"
    assert conflicts.cell(row=2, column=len(conflicts[1])).value == fx.XSS  # data as it is
    # kinds and categories in words for people; the CSVs keep the codes for scripts
    allocation = book["园区用地 allocation"]
    kinds = {allocation.cell(row=r, column=1).value for r in range(2, allocation.max_row + 1)}
    codes = set(pd.read_csv(tmp_path / "allocation.csv", encoding="utf-8-sig")["row_kind"])
    assert {"part", "park_total", "city_total"} <= codes
    assert kinds == {_tables.CODE_LABELS["row_kind"][c] for c in codes}
    assert "全市合计 / city total" in kinds
    projects = book["项目 projects"]
    col = [c.value for c in projects[1]].index("类别 / category") + 1
    categories = {projects.cell(row=r, column=col).value for r in range(2, projects.max_row + 1)}
    listed = set(pd.read_csv(tmp_path / "projects.csv", encoding="utf-8-sig")["category"])
    assert categories == {_tables.CODE_LABELS["category"][c] for c in listed}
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="report_tables.xlsx"' in index and "(Excel)" in index
