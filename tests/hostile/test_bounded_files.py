"""Bounded files: absurd files are refused early and clearly, and no error shows a file's content.

A workbook of 5 KB whose used range is the whole sheet (one value at XFD1048576) is not laid out
as a grid of 17 billion cells; a file, or what a compressed file declares it unpacks to, that
would not fit in memory is refused before it is read; a device or a pipe is never read; and a
wrong path (a private key, a password file, a document) is named, not quoted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

import outcomes
from outcomes.cli import main
from outcomes.errors import ReadError, WriteError
from outcomes.io import formats
from outcomes.io.formats import FORMATS, read_table, write_table
from outcomes.report import TEMPLATE

# -- workbooks whose used range is enormous -------------------------------------------------------


def _workbook(path: Path, far: str) -> Path:
    """A table at A1:E20, and at XFD1048576 a value (``far="value"``) or only a style."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Scores"
    sheet.append(["subject", "visit", "madrs", "arm", "day"])
    for i in range(19):
        sheet.append([f"S{i:03d}", "WEEK 2", i, "DMT", 15])
    if far == "value":
        sheet["XFD1048576"] = "stray"
    else:
        sheet["XFD1048576"].font = Font(bold=True)
    book.save(path)
    return path


def _rewrite(path: Path, member: str, old: bytes, new: bytes) -> Path:
    """The workbook with ``old`` replaced by ``new`` in one of its parts."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            assert info.filename != member or old in data
            archive.writestr(info, data.replace(old, new) if info.filename == member else data)
    return path


#: Read a file in a child process whose address space may grow by 1 GB at most, and report
#: what came of it, how long it took and how much the resident memory grew.
CHILD = """
import json, resource, sys, time
from outcomes.io.formats import read_table

def resident():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

with open("/proc/self/statm") as statm:
    used = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (used + 1_000_000_000, used + 1_000_000_000))
before, start = resident(), time.monotonic()
try:
    frame = read_table(sys.argv[1])
    result = {"shape": list(frame.shape), "subjects": frame["subject"].tolist()}
except BaseException as exc:
    result = {"error": type(exc).__name__, "message": str(exc)}
result.update(seconds=time.monotonic() - start, grown=resident() - before)
print(json.dumps(result))
"""


def _read_bounded(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


#: The child reads its memory from /proc and limits it with setrlimit.
linux = pytest.mark.skipif(sys.platform != "linux", reason="Linux's /proc and memory limits")


@linux
def test_a_value_at_xfd1048576_is_refused_naming_the_sheet_and_range(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "scores.xlsx", far="value")
    assert path.stat().st_size < 10_000
    result = _read_bounded(path)
    assert result.get("error") == "ReadError", result
    assert result["message"].startswith(
        f"{path}: sheet 'Scores' has values from A1 to XFD1048576 (1,048,576 rows by 16,384 "
        "columns) but only 101 values"
    )
    assert result["seconds"] < 30 and result["grown"] < 500_000_000, result


#: The last row of the sheet :func:`_workbook` writes with ``far="style"``, and what it becomes.
FAR_ROW = b'<row r="1048576"><c r="XFD1048576" s="1" t="n"></c></row>'
USED_RANGES = {
    "a styled empty cell": FAR_ROW,
    "a lying dimension": b"",
    "an empty last row": b'<row r="1048576" spans="1:16384"/>',
}


@linux
@pytest.mark.parametrize("row", USED_RANGES.values(), ids=USED_RANGES)
def test_a_used_range_larger_than_the_values_reads_the_table(tmp_path: Path, row: bytes) -> None:
    path = _workbook(tmp_path / "scores.xlsx", far="style")
    sheet = "xl/worksheets/sheet1.xml"
    _rewrite(path, sheet, FAR_ROW, row)
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:XFD1048576"/>' in archive.read(sheet)
    result = _read_bounded(path)
    assert result.get("shape") == [19, 5], result
    assert result["subjects"] == [f"S{i:03d}" for i in range(19)]
    assert result["seconds"] < 30 and result["grown"] < 500_000_000, result


def test_a_sheet_of_more_cells_than_can_be_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path / "scores.xlsx", far="style")
    monkeypatch.setattr(formats, "MAX_SHEET_CELLS", 60)
    with pytest.raises(ReadError, match=r"sheet 'Scores' spans more than 60 cells"):
        read_table(path)


# -- files that would not fit in memory -----------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", [".csv", ".tsv", ".txt", ".xlsx", ".xls", ".dta", ".xpt", ".rds", ".rda"]
)
def test_a_file_larger_than_memory_is_refused_unread(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as handle:
        handle.truncate(2**40)  # a terabyte, sparse: it takes no room on the disk
    start = time.monotonic()
    with pytest.raises(ReadError, match=r"reading it would take about .* TB of memory, more than"):
        read_table(path)
    assert time.monotonic() - start < 5


@pytest.fixture
def little_memory(monkeypatch: pytest.MonkeyPatch) -> int:
    """This process may take 1 MB more."""
    monkeypatch.setattr(formats, "_available_memory", lambda: 1_000_000)
    return 1_000_000


ZEROS = pd.DataFrame(np.zeros((200_000, 10)), columns=[f"c{i}" for i in range(10)])


@pytest.mark.parametrize("suffix", [".parquet", ".zsav", ".xlsx"])
def test_a_compressed_file_is_judged_by_what_it_unpacks_to(
    tmp_path: Path, suffix: str, little_memory: int
) -> None:
    frame = ZEROS.iloc[:5_000] if suffix == ".xlsx" else ZEROS  # 50,000 cells: 2 MB of XML
    path = write_table(frame, tmp_path / f"zeros{suffix}")
    assert path.stat().st_size < little_memory  # the file itself would fit
    with pytest.raises(ReadError, match=r"of memory, more than the 1.0 MB available"):
        read_table(path)


def test_a_text_file_is_judged_by_its_size(tmp_path: Path, little_memory: int) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("subject,score\n" + "S1,1\n" * 30_000)
    with pytest.raises(ReadError, match=r"about 1.5 MB of memory, more than the 1.0 MB available"):
        read_table(path)


@linux
@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_a_pipe_a_device_or_a_folder_is_not_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "scores.csv"
    if kind == "fifo":
        os.mkfifo(path)  # reading would wait for a writer forever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading would never end
    else:
        path.mkdir()
    expected = "is a directory" if kind == "directory" else "is not a regular file"
    with pytest.raises(ReadError, match=expected):
        read_table(path)
    with pytest.raises(ReadError, match=expected):
        outcomes.read(path)


# -- errors that name a file, and show nothing of it ----------------------------------------------

PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8\n"
    "-----END PRIVATE KEY-----\n"
)
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
DOTENV = "API_KEY=sk-live-51HxQk2eZvKYlo2C,DB_PASSWORD=hunter2\nDEBUG=1\n"
CREDENTIALS = (
    '{"type": "service_account", "project_id": "trial-1", "private_key_id": "a1b2c3d4e5", '
    '"client_email": "svc@trial-1.iam.gserviceaccount.com"}\n'
)
#: Text of the files above that no message may show.
SECRETS = ("PRIVATE", "MIIEvQ", "root:x", "daemon", "sk-live", "hunter2", "service_account", "a1b2")

#: A file of the wrong content for each suffix: its content, as bytes.
WRONG_CONTENT = [
    ("secret.txt", PRIVATE_KEY),
    ("secret.csv", PRIVATE_KEY),
    ("passwd.csv", PASSWD),
    ("passwd.txt", PASSWD),
    ("passwd.tsv", PASSWD),
    ("settings.txt", DOTENV),
    ("credentials.csv", CREDENTIALS),
    ("key.csv", PRIVATE_KEY.encode() + b"\x00\x01\x02"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + PASSWD.encode()),
    *[(f"secret{suffix}", PRIVATE_KEY) for suffix in FORMATS if suffix not in (".csv", ".txt")],
]


def _write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(("name", "content"), WRONG_CONTENT, ids=[n for n, _ in WRONG_CONTENT])
def test_a_wrong_file_is_named_not_quoted(tmp_path: Path, name: str, content: str | bytes) -> None:
    path = _write(tmp_path / name, content)
    with pytest.raises(ReadError) as caught:
        outcomes.read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert not [s for s in SECRETS if s in message], message


@pytest.mark.parametrize("role", ["events", "subjects"])
def test_a_wrong_events_or_subjects_file_is_named_not_quoted(
    tmp_path: Path, sample_folder: Path, role: str
) -> None:
    path = _write(tmp_path / "secret.csv", PRIVATE_KEY)
    with pytest.raises(ReadError) as caught:
        outcomes.read(sample_folder / "long.csv", **{role: path})
    assert str(caught.value).startswith(f"{path}: ")
    assert "PRIVATE" not in str(caught.value)


def test_a_library_message_quoting_a_cell_is_not_quoted(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["subject", "score"])
    book.active.append(["S1", 12345])
    book.save(tmp_path / "scores.xlsx")
    # a number cell holding text: openpyxl's error quotes it
    path = _rewrite(
        tmp_path / "scores.xlsx", "xl/worksheets/sheet1.xml", b"<v>12345</v>", b"<v>sk-live-1</v>"
    )
    with pytest.raises(ReadError, match="cannot be read as excel") as caught:
        read_table(path)
    assert "sk-live" not in str(caught.value)


def test_a_trial_file_still_lists_its_columns(tmp_path: Path) -> None:
    """A file with a column named like a trial's is one: its columns help to map the rest."""
    path = _write(tmp_path / "scores.csv", "participant_code,visit,GAD0201\nS1,BASELINE,2\n")
    with pytest.raises(outcomes.MappingError, match="participant_code"):
        outcomes.read(path)


def test_a_wrong_data_file_in_a_plan_is_named_not_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "scores.txt", PRIVATE_KEY)
    plan = tmp_path / "plan.toml"
    plan.write_text(TEMPLATE.replace('source = "sample"', 'source = "scores.txt"'))
    assert main(["report", str(plan), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'scores.txt'}: none of its 1 column(s) is named like a trial's" in err
    assert "PRIVATE" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


# -- any bytes under any suffix -------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bytes")


@pytest.fixture(scope="module")
def written(folder: Path) -> dict[str, bytes]:
    """A small table written in each format that can be written: the bytes to damage."""
    frame = pd.DataFrame({"subject": ["006", "007"], "score": [1.5, 2.0]})
    out = {}
    for suffix in FORMATS:
        try:
            out[suffix] = write_table(frame, folder / f"table{suffix}").read_bytes()
        except WriteError:  # .sas7bdat, .xls and .xlsm are not written
            out[suffix] = b""
    return out


@pytest.mark.filterwarnings("ignore::UnicodeWarning")  # Stata text that is not UTF-8
@pytest.mark.parametrize("suffix", list(FORMATS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_bytes_give_a_table_or_a_read_error(
    folder: Path, written: dict[str, bytes], suffix: str, data: st.DataObject
) -> None:
    original = written[suffix]
    if original and data.draw(st.booleans()):
        changes = data.draw(
            st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=8)
        )
        content = bytearray(original)
        for at, byte in changes:
            content[at] = byte
        content = content[: data.draw(st.integers(0, len(content)))]
    else:
        content = data.draw(st.binary(max_size=2000))
    path = _write(folder / f"damaged{suffix}", bytes(content))
    try:
        read_table(path)
    except ReadError as exc:
        assert str(exc).startswith(f"{path}: ")


# -- the other small files: schedules, mappings, scale definitions ---------------------------------

#: Each reader of a small text file, given a hostile one, in a child process under a memory limit
#: (a key of 100,000 dotted parts would take the TOML parser gigabytes if the guard failed).
SMALL_FILE_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))
from pathlib import Path
from outcomes.data.schedule import Schedule
from outcomes.errors import OutcomesError
from outcomes.instruments import register
from outcomes.io.mapping import _load_file
readers = {"schedule": Schedule.from_toml, "mapping": lambda p: _load_file(Path(p)),
           "instrument": register}
out = {}
for arg in sys.argv[1:]:
    reader, path = arg.split("=", 1)
    try:
        readers[reader](path)
        out[arg] = "read"
    except OutcomesError as exc:
        out[arg] = "refused: " + str(exc)
    except BaseException as exc:
        out[arg] = f"{type(exc).__name__}: {exc}"[:300]
print(json.dumps(out))
"""

HOSTILE_SMALL_FILES = {
    "dotted key": (".".join("a" * 100_000) + " = 1", "toml", "more than 8 dotted parts"),
    "deep array": ("x = " + "[" * 100_000, "toml", "nested more than 8 deep"),
    "deep JSON": ("[" * 100_000, "json", "nested more than 8 deep"),
    "2 MB": ("# " + "x" * 2_000_000, "toml", "larger than 1,000,000 bytes"),
    "not UTF-8": (b"x = '\xff'\n", "toml", "not UTF-8 text (at byte 6)"),
}


def test_schedules_mappings_and_scales_are_read_with_bounds(tmp_path: Path) -> None:
    args = []
    for k, (content, suffix, _) in enumerate(HOSTILE_SMALL_FILES.values()):
        path = tmp_path / f"file{k}.{suffix}"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        readers = ["mapping"] if suffix == "json" else ["schedule", "mapping", "instrument"]
        args += [f"{reader}={path}" for reader in readers]
    done = subprocess.run(
        [sys.executable, "-c", SMALL_FILE_CHILD, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    expected = {
        f"{reader}={tmp_path / f'file{k}.{suffix}'}": reason
        for k, (_, suffix, reason) in enumerate(HOSTILE_SMALL_FILES.values())
        for reader in (["mapping"] if suffix == "json" else ["schedule", "mapping", "instrument"])
    }
    for arg, reason in expected.items():
        assert results[arg].startswith("refused: ") and reason in results[arg], (arg, results[arg])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_table_of_more_columns_than_a_trial_has_is_refused(tmp_path: Path, suffix: str) -> None:
    columns = ["subject", "visit", "arm"] + [f"c{i}" for i in range(formats.MAX_COLUMNS)]
    frame = pd.DataFrame([["S1", "WEEK 1", "DMT"] + [1] * formats.MAX_COLUMNS], columns=columns)
    path = tmp_path / f"wide{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    with pytest.raises(ReadError, match=r"has 10,003 columns; .* reads at most 10,000"):
        read_table(path)


def test_a_message_names_at_most_twenty_columns(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    pd.DataFrame(
        [["S1", "WEEK 1"] + ["x"] * 500],
        columns=["subject", "visit"] + [f"c{i}" for i in range(500)],
    ).to_csv(path, index=False)
    with pytest.raises(outcomes.ValidationError) as caught:
        outcomes.read(path)
    message = caught.value.problems["message"].str.cat(sep=" ")
    assert "c19" not in message and "and 482 more" in message
