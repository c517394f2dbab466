"""The output folder: symbolic links, files and other people's folders as ``--out``, stale files,
interrupted runs. Every test checks that nothing outside the folder changed and that the folder
is a complete report or the one that was there before."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import outcomes.plots
import outcomes.tables
from outcomes.cli import main
from outcomes.report import Results, read_plan, write_report
from outcomes.report import folder as folder_module
from outcomes.report.folder import (
    MANIFEST,
    MANIFEST_FORMAT,
    OutputFolderError,
    check_output_folder,
    read_manifest,
)
from outcomes.report.write import TABLE_FORMATS
from outcomes.tables import Table

STAMP, OTHER_STAMP = "2026-01-01 00:00:00 UTC", "2030-12-31 23:59:59 UTC"


@pytest.fixture(scope="module")
def results(sample: outcomes.TrialData) -> Results:
    """Results made by hand, as the writer reads them: two tables and one figure (closed once
    written; a closed figure still saves the same bytes), no analysis run."""
    plan = read_plan()
    contrasts = pd.DataFrame(
        {
            "contrast": ["DMT - PLACEBO"],
            "visit": [plan.primary["visit"]],
            "estimate": [-9.5],
            "conf_low": [-14.0],
            "conf_high": [-5.0],
            "p_value": [0.0004],
        }
    )
    cells = pd.DataFrame({"arm": ["DMT", "PLACEBO"], "n": ["20", "20"]})
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    return Results(
        plan,
        sample,
        frames={"primary_contrasts": contrasts},
        tables={name: Table(cells, f"The {name} table") for name in ("baseline", "lsmeans")},
        figures={"observed_means": fig},
        methods=["The methods."],
        checksums={"plan": "0" * 64, "data": "1" * 64},
        notes=["A note."],
    )


@pytest.fixture
def earlier(results: Results, tmp_path: Path) -> Path:
    """An earlier report in ``tmp_path / "out"``."""
    out = tmp_path / "out"
    write_report(results, out, timestamp=STAMP)
    return out


def _snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder`` (links not followed): kind, bytes or link target, mtime."""
    entries: dict[str, Any] = {".": folder.lstat().st_mtime_ns}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content: Any = ("link", os.readlink(path))
        elif path.is_dir():
            content = ("folder", None)
        elif path.is_file():
            content = ("file", path.read_bytes())
        else:  # a FIFO, which cannot be read without a writer
            content = ("other", info.st_mode)
        entries[path.relative_to(folder).as_posix()] = (content, info.st_mtime_ns)
    return entries


def _files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()}


def _assert_complete(out: Path) -> None:
    """``out`` is a real folder of real files, exactly those of its manifest, each intact."""
    assert out.is_dir() and not out.is_symlink()
    assert not any(p.is_symlink() for p in out.rglob("*"))
    entries = read_manifest(out)
    assert _files(out) == {e["path"] for e in entries} | {MANIFEST}
    for entry in entries:
        data = (out / entry["path"]).read_bytes()
        assert len(data) == entry["bytes"], entry["path"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]


def _assert_no_staging(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if p.name.startswith(".outcomes-")]


def _elsewhere(tmp_path: Path) -> Path:
    """A folder outside the report's, holding files a link could lead a writer to."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "tables").mkdir(parents=True)
    (elsewhere / "tables" / "baseline.csv").write_text("precious,data\n1,2\n")
    (elsewhere / "page.html").write_text("<p>precious</p>\n")
    (elsewhere / "results.json").write_text('{"precious": true}\n')
    return elsewhere


# -- links in the folder ---------------------------------------------------------------------------


@pytest.mark.parametrize("report_before", [False, True], ids=["fresh", "earlier-report"])
def test_links_in_the_folder_are_never_written_through(
    results: Results, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, report_before: bool
) -> None:
    elsewhere = _elsewhere(tmp_path)
    tmp_dir = tmp_path_factory.mktemp("some-tmp-dir")
    (tmp_dir / "observed_means.png").write_bytes(b"not a figure")
    out = tmp_path / "out"
    if report_before:
        write_report(results, out, timestamp=STAMP)
        for name in ("tables", "figures"):
            for path in (out / name).iterdir():
                path.unlink()
            (out / name).rmdir()
        (out / "report.html").unlink()
        (out / "results.json").unlink()
    else:
        out.mkdir()
    (out / "tables").symlink_to(elsewhere / "tables")
    (out / "figures").symlink_to(tmp_dir)
    (out / "report.html").symlink_to(elsewhere / "page.html")
    (out / "results.json").symlink_to(elsewhere / "results.json")
    (out / "dangling").symlink_to(tmp_path / "nowhere")
    before = _snapshot(elsewhere), _snapshot(tmp_dir)

    write_report(results, out, timestamp=OTHER_STAMP)

    assert (_snapshot(elsewhere), _snapshot(tmp_dir)) == before
    assert not (tmp_path / "nowhere").exists()
    _assert_complete(out)
    assert {"tables/baseline.csv", "figures/observed_means.png", "report.html"} <= _files(out)
    _assert_no_staging(tmp_path)


def test_links_deep_in_an_earlier_report_are_removed_as_links(
    results: Results, earlier: Path, tmp_path: Path
) -> None:
    elsewhere = _elsewhere(tmp_path)
    (earlier / "tables" / "baseline.csv").unlink()
    (earlier / "tables" / "baseline.csv").symlink_to(elsewhere / "tables" / "baseline.csv")
    (earlier / "tables" / "more").symlink_to(elsewhere)
    before = _snapshot(elsewhere)

    write_report(results, earlier, timestamp=OTHER_STAMP)

    assert _snapshot(elsewhere) == before
    _assert_complete(earlier)
    _assert_no_staging(tmp_path)


@pytest.mark.parametrize("target", ["empty-folder", "earlier-report", "dangling", "file"])
def test_out_that_is_a_link_is_refused(results: Results, tmp_path: Path, target: str) -> None:
    pointed = tmp_path / "pointed"
    if target == "empty-folder":
        pointed.mkdir()
    elif target == "earlier-report":
        write_report(results, pointed, timestamp=STAMP)
    elif target == "file":
        pointed.write_text("mine\n")
    out = tmp_path / "out"
    out.symlink_to(pointed)
    before = _snapshot(tmp_path)

    with pytest.raises(OutputFolderError, match="symbolic link"):
        check_output_folder(out)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        write_report(results, out)

    assert _snapshot(tmp_path) == before


# -- a file, other people's folders, a missing parent ----------------------------------------------


def test_out_that_is_a_file_is_refused(results: Results, tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("mine\n")
    before = _snapshot(tmp_path)

    with pytest.raises(OutputFolderError, match="is a file"):
        check_output_folder(out)
    with pytest.raises(OutputFolderError, match="is a file"):
        write_report(results, out)

    assert _snapshot(tmp_path) == before


def test_command_line_refuses_a_file_before_any_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("mine\n")

    def no_analysis(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an analysis ran")

    monkeypatch.setattr("outcomes.report.run_plan", no_analysis)
    assert main(["report", "--sample", "--out", str(out)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert out.read_text() == "mine\n"


def _notes(out: Path) -> None:
    (out / "notes.txt").write_text("mine\n")


def _deep_among_links(out: Path) -> None:
    (out / "a" / "b").mkdir(parents=True)
    (out / "a" / "b" / "data.csv").write_text("subject\nS-001\n")
    (out / "a" / "link").symlink_to(out.parent)


def _web_manifest(out: Path) -> None:
    (out / MANIFEST).write_text('{"name": "my web app", "files": []}\n')
    (out / "index.html").write_text("<p>mine</p>\n")


def _malformed_manifest(out: Path) -> None:
    (out / MANIFEST).write_text('{"format": "' + MANIFEST_FORMAT + '", "files": [{"path": 3}]}')
    _notes(out)


def _manifest_a_link(out: Path) -> None:
    real = out.parent / "real"
    real.mkdir()
    (real / MANIFEST).write_text(json.dumps({"format": MANIFEST_FORMAT, "files": []}))
    (out / MANIFEST).symlink_to(real / MANIFEST)
    _notes(out)


def _manifest_a_fifo(out: Path) -> None:
    os.mkfifo(out / MANIFEST)
    _notes(out)


def _old_report_without_manifest(out: Path) -> None:
    (out / "tables").mkdir()
    for i in range(90):
        (out / "tables" / f"table_{i}.csv").write_text("a\n1\n")
    (out / "report.html").write_text("<p>an old report</p>\n")


@pytest.mark.parametrize(
    "make",
    [
        _notes,
        _deep_among_links,
        _web_manifest,
        _malformed_manifest,
        _manifest_a_link,
        _manifest_a_fifo,
        _old_report_without_manifest,
    ],
)
def test_a_folder_of_other_files_is_refused(
    results: Results, tmp_path: Path, make: Callable[[Path], None]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    make(out)
    before = _snapshot(tmp_path)

    with pytest.raises(OutputFolderError, match="holds files and is not an outcomes report"):
        check_output_folder(out)
    with pytest.raises(OutputFolderError, match="writing the report would delete them"):
        write_report(results, out)

    assert _snapshot(tmp_path) == before


def test_the_current_folder_with_files_is_refused(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _notes(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    for out in (".", "", "sub/..", str(tmp_path)):
        with pytest.raises(OutputFolderError, match="holds files"):
            write_report(results, out)
    assert _snapshot(tmp_path) == before


def test_a_missing_parent_is_refused(results: Results, tmp_path: Path) -> None:
    with pytest.raises(OutputFolderError, match="does not exist"):
        write_report(results, tmp_path / "missing" / "out")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
def test_a_parent_that_cannot_be_written_in_is_refused(results: Results, tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o555)
    try:
        with pytest.raises(OutputFolderError, match="cannot write in"):
            write_report(results, parent / "out")
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize("exists", [False, True], ids=["new", "empty"])
def test_a_new_or_empty_folder_gets_a_report_of_ordinary_permissions(
    results: Results, tmp_path: Path, exists: bool
) -> None:
    out = tmp_path / "out"
    if exists:
        out.mkdir()
    assert check_output_folder(out) == tmp_path.resolve() / "out"
    assert write_report(results, out, timestamp=STAMP) == out / "report.html"
    _assert_complete(out)
    _assert_no_staging(tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (out / "tables").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (out / "report.html").stat().st_mode & 0o777 == 0o666 & ~umask


# -- stale files -----------------------------------------------------------------------------------


def test_no_file_of_an_earlier_run_survives(
    results: Results, earlier: Path, tmp_path: Path
) -> None:
    (earlier / "tables" / "added_by_hand.csv").write_text("a\n1\n")
    fewer = dataclasses.replace(
        results, tables={"baseline": results.tables["baseline"]}, figures={}
    )
    write_report(fewer, earlier, timestamp=OTHER_STAMP)
    _assert_complete(earlier)
    assert {p for p in _files(earlier) if p.startswith(("tables/", "figures/"))} == {
        f"tables/baseline.{suffix}" for suffix in TABLE_FORMATS
    }
    _assert_no_staging(tmp_path)


# -- interrupted runs ------------------------------------------------------------------------------


def _failing_on_call(original: Callable[..., Any], n: int, error: BaseException) -> Callable:
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == n:
            raise error
        return original(*args, **kwargs)

    return failing


@pytest.mark.parametrize("report_before", [True, False], ids=["earlier-report", "none"])
@pytest.mark.parametrize(
    ("module", "name", "n", "error"),
    [
        (outcomes.tables, "write_table", 3, KeyboardInterrupt()),
        (outcomes.tables, "write_table", 9, OSError(28, "No space left on device")),
        (outcomes.plots, "save", 2, KeyboardInterrupt()),
        (outcomes.plots, "save", 3, MemoryError()),
    ],
    ids=["table-sigint", "table-disk-full", "figure-sigint", "figure-crash"],
)
def test_an_interrupted_write_leaves_the_folder_as_it_was(
    results: Results,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    report_before: bool,
    module: Any,
    name: str,
    n: int,
    error: BaseException,
) -> None:
    out = tmp_path / "out"
    if report_before:
        write_report(results, out, timestamp=STAMP)
    before = _snapshot(out) if report_before else None
    monkeypatch.setattr(module, name, _failing_on_call(getattr(module, name), n, error))

    with pytest.raises(type(error)):
        write_report(results, out, timestamp=OTHER_STAMP)

    if report_before:
        assert _snapshot(out) == before
        _assert_complete(out)
    else:
        assert not os.path.lexists(out)
    _assert_no_staging(tmp_path)


@pytest.mark.parametrize("n", [1, 2], ids=["moving-aside", "moving-in"])
def test_an_interrupted_move_leaves_the_earlier_report(
    results: Results, earlier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    before = _snapshot(earlier)
    monkeypatch.setattr(
        folder_module.os, "rename", _failing_on_call(os.rename, n, KeyboardInterrupt())
    )

    with pytest.raises(KeyboardInterrupt):
        write_report(results, earlier, timestamp=OTHER_STAMP)

    monkeypatch.undo()
    assert _snapshot(earlier) == before
    _assert_complete(earlier)
    _assert_no_staging(tmp_path)


# -- the manifest ----------------------------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_sha256(
    results: Results, earlier: Path, tmp_path: Path
) -> None:
    document = json.loads((earlier / MANIFEST).read_text())
    assert document["format"] == MANIFEST_FORMAT
    paths = [e["path"] for e in document["files"]]
    assert paths == sorted(paths) and MANIFEST not in paths
    assert {"report.html", "results.json", "tables/lsmeans.docx", "figures/observed_means.pdf"} <= (
        set(paths)
    )
    _assert_complete(earlier)

    same, later = tmp_path / "same", tmp_path / "later"
    write_report(results, same, timestamp=STAMP)
    write_report(results, later, timestamp=OTHER_STAMP)
    assert (same / MANIFEST).read_bytes() == (earlier / MANIFEST).read_bytes()
    changed = {
        a["path"]
        for a, b in zip(read_manifest(earlier), read_manifest(later), strict=True)
        if a != b
    }
    assert changed == {"report.html", "results.json"}


#: A report run that receives a real SIGINT while it writes its fifth table file. The child sets
#: Python's own SIGINT handler first: a process started in the background (``nohup cmd &``)
#: inherits SIGINT ignored, and then no KeyboardInterrupt would ever be raised.
SIGINT_CHILD = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
import outcomes.tables
from outcomes.cli import main
real, calls = outcomes.tables.write_table, []
def write_table(*args, **kwargs):
    calls.append(1)
    if len(calls) == 5:
        os.kill(os.getpid(), signal.SIGINT)
    return real(*args, **kwargs)
outcomes.tables.write_table = write_table
sys.exit(main(["report", "--sample", "--out", sys.argv[1]]))
"""


@pytest.mark.parametrize("report_before", [False, True], ids=["new", "over-an-earlier-report"])
def test_a_sigint_while_writing_leaves_the_folder_as_it_was(
    results: Results, tmp_path: Path, report_before: bool
) -> None:
    out = tmp_path / "out"
    if report_before:
        write_report(results, out, timestamp=STAMP)
    before = _snapshot(out) if report_before else None
    done = subprocess.run(
        [sys.executable, "-c", SIGINT_CHILD, str(out)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().endswith("outcomes: interrupted")
    assert "Traceback" not in done.stderr
    if report_before:
        assert _snapshot(out) == before
        _assert_complete(out)
    else:
        assert not os.path.lexists(out)
    _assert_no_staging(tmp_path)


def test_the_sample_and_a_plan_are_not_written_through_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "precious.csv"
    victim.write_text("mine\n")
    out = tmp_path / "sample"
    out.mkdir()
    (out / "long.csv").symlink_to(victim)
    (tmp_path / "sdtm-link").symlink_to(elsewhere, target_is_directory=True)
    assert main(["sample", "--out", str(out)]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
    assert main(["sample", "--out", str(tmp_path / "sdtm-link")]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["long.csv"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.csv"]
    plan = tmp_path / "plan.toml"
    plan.symlink_to(victim)
    assert main(["plan", "init", str(plan), "--force"]) == 2
    assert victim.read_text() == "mine\n"
