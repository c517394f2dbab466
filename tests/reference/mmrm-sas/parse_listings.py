#!/usr/bin/env python
"""Parse the SAS PROC MIXED reference listings in this folder into ``expected.json``.

Standalone (standard library + pandas).  Run from anywhere::

    python tests/reference/mmrm-sas/parse_listings.py

It reads every listing under ``SAS/``, ``ddfm_covtype/`` and ``Robust/`` next to this
script (``.txt`` line-printer listings, ``.rtf`` ODS RTF output, ``.csv`` ODS tables
exported to CSV) and writes ``expected.json`` next to it, then prints a summary.
The tests read only the JSON; this script documents how it was made.

How the ``.txt`` listings are read
----------------------------------
* Page headers (``<FF> The SAS System ... <page>`` and the ``The Mixed Procedure`` line
  under it) are removed and remembered as page breaks.
* The text is cut into paragraphs at blank lines.  A paragraph whose words, joined,
  equal a known PROC MIXED table title (``Covariance Parameter Estimates``,
  ``Estimated R Matrix for USUBJID PT1`` ...) opens a table; for tables with column
  headings the next paragraph is the heading (one or more lines: ``Standard`` over
  ``Error``, ``Num``/``Den`` over ``DF``, ``Cov`` over ``Parm``), the following ones the
  rows.  A table that SAS continued on the next page (same title again right after a
  page break, heading repeated) is merged with its first part.
* Fixed-width rows are cut into cells at runs of two or more blanks (a single blank is
  part of a value, as in ``Black or African American``, ``ARMCD PBO``), and each cell
  is assigned to the heading column it overlaps most, so empty cells stay empty.
* Untitled PROC PRINT tables (heading line starting with ``Obs``) are the ODS output
  data sets printed at full precision; they are kept as ``print_solution`` /
  ``print_covparms``.

How the ``.rtf`` files are read
-------------------------------
The RTF is tokenised (control words, groups, ``\\'hh`` escapes, ``\\~`` blanks); the
``\\header``/``\\footer``/font/colour/info groups are skipped; every ``\\cell`` closes a
cell and every ``\\row`` a row.  Each ODS table is then a title row (one cell),
a heading row and data rows, interpreted exactly like the text tables.

Numbers
-------
Every number is stored as the float of the printed string, and each row also keeps
``printed``: the printed strings of its numeric cells, so a test can derive the
precision SAS printed (e.g. DF printed as an integer, -2 log-likelihood with one
decimal).  ``.`` (missing) is ``null``.  ``<.0001`` is stored as
``"p_value": null, "p_value_text": "<.0001"``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FOLDERS = ("SAS", "ddfm_covtype", "Robust")
OUTPUT = HERE / "expected.json"

# --------------------------------------------------------------------------------------
# known table titles: (key, regex on the joined title, kind)
# kind "kv": label/value rows without heading; "table": heading + rows
# --------------------------------------------------------------------------------------
TITLES = [
    ("model_info", r"Model Information", "kv"),
    ("class_levels", r"Class Level Information", "table"),
    ("dimensions", r"Dimensions", "kv"),
    ("n_observations", r"Number of Observations", "kv"),
    ("iteration_history", r"Iteration History", "table"),
    ("r_matrix", r"Estimated R Matrix for (?P<subject>.+)", "table"),
    ("r_correlation", r"Estimated R Correlation Matrix for (?P<subject>.+)", "table"),
    ("covparms", r"Covariance Parameter Estimates", "table"),
    ("covparms_last_iteration", r"Covariance Parameter Values At Last Iteration", "table"),
    ("fit", r"Fit Statistics", "kv"),
    ("null_model_lrt", r"Null Model Likelihood Ratio Test", "table"),
    ("solution", r"Solution for Fixed Effects", "table"),
    ("empirical_covb", r"Empirical Covariance Matrix for Fixed Effects", "table"),
    ("type3", r"Type 3 Tests of Fixed Effects", "table"),
    ("lsmeans", r"Least Squares Means", "table"),
    ("diffs", r"Differences of Least Squares Means", "table"),
    ("slices", r"Tests of Effect Slices", "table"),
]
STATUS_RE = re.compile(r"(Convergence criteria met\.|WARNING: .*|NOTE: .*)")
PAGE_RE = re.compile(r"^\s*The SAS System\s.*\s\d+\s*$")

# printed column heading -> JSON field
FIELD = {
    "Effect": "effect",
    "Estimate": "estimate",
    "Standard Error": "std_error",
    "StdErr": "std_error",
    "DF": "df",
    "t Value": "t_value",
    "tValue": "t_value",
    "Pr > |t|": "p_value",
    "Probt": "p_value",
    "Alpha": "alpha",
    "Lower": "lower",
    "Upper": "upper",
    "Cov Parm": "cov_parm",
    "CovParm": "cov_parm",
    "Subject": "subject",
    "Group": "group",
    "Num DF": "num_df",
    "NumDF": "num_df",
    "Den DF": "den_df",
    "DenDF": "den_df",
    "Chi-Square": "chi_square",
    "ChiSquare": "chi_square",
    "F Value": "f_value",
    "FValue": "f_value",
    "Pr > ChiSq": "p_value_chisq",
    "ProbChiSq": "p_value_chisq",
    "Pr > F": "p_value",
    "ProbF": "p_value",
    "Obs": "obs",
    "Row": "row",
}
TEXT_FIELDS = {"effect", "cov_parm", "subject", "group"}


class ParseError(Exception):
    pass


# --------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------
NUM_RE = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def num(s: str):
    """Printed SAS number -> (float or None, text-if-not-a-plain-number or None)."""
    s = s.strip()
    if s in ("", "."):
        return None, None
    if NUM_RE.match(s):
        return float(s), None
    if s.startswith("<") or s.startswith(">"):
        return None, s
    if s in ("Infty", "-Infty"):
        return (math.inf if s == "Infty" else -math.inf), None
    raise ParseError(f"not a number: {s!r}")


def put_num(rec: dict, field: str, s: str) -> None:
    v, text = num(s)
    rec[field] = v
    if text is not None:
        rec[field + "_text"] = text
    if s.strip() not in ("", "."):
        rec.setdefault("printed", {})[field] = s.strip()


# --------------------------------------------------------------------------------------
# generic table: title, columns, rows of cell strings
# --------------------------------------------------------------------------------------
class Table:
    def __init__(self, key, title, kind, match):
        self.key = key
        self.title = title
        self.kind = kind
        self.match = match
        self.columns: list[str] = []
        self.rows: list[list[str]] = []

    def __repr__(self):
        return f"Table({self.title!r}, {len(self.rows)} rows)"


def match_title(text: str):
    text = re.sub(r"\s+", " ", text).strip()
    for key, rx, kind in TITLES:
        m = re.fullmatch(rx, text)
        if m:
            return key, kind, m, text
    return None


# --------------------------------------------------------------------------------------
# .txt listings
# --------------------------------------------------------------------------------------
def txt_items(text: str) -> list:
    """Cut a listing into paragraphs (lists of lines) and 'PAGE' markers."""
    lines = [ln.replace("\f", "").rstrip() for ln in text.splitlines()]
    items: list = []
    para: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if PAGE_RE.match(ln):
            if para:
                items.append(para)
                para = []
            items.append("PAGE")
            i += 1
            # skip blank lines and the procedure title that follow the page header
            while i < len(lines) and (
                not lines[i].strip() or lines[i].strip() == "The Mixed Procedure"
            ):
                if lines[i].strip() == "The Mixed Procedure":
                    i += 1
                    break
                i += 1
            continue
        if not ln.strip():
            if para:
                items.append(para)
                para = []
        else:
            para.append(ln)
        i += 1
    if para:
        items.append(para)
    return items


SPLIT_RE = re.compile(r"\S+(?: \S+)*")


def spans(line: str):
    return [(m.start(), m.end(), m.group(0)) for m in SPLIT_RE.finditer(line)]


def fixed_width_columns(header_lines: list[str]):
    """Column names and character spans from a (possibly multi-line) heading."""
    bottom = spans(header_lines[-1])
    cols = [[s, e, [t]] for s, e, t in bottom]
    for ln in header_lines[:-1]:
        for s, e, t in spans(ln):
            best, best_ov = None, 0
            for c in cols:
                ov = min(e, c[1]) - max(s, c[0])
                if ov > best_ov:
                    best, best_ov = c, ov
            if best is None:  # no overlap: nearest column
                best = min(cols, key=lambda c: min(abs(s - c[1]), abs(e - c[0])))
            best[2].insert(-1, t)
            best[0], best[1] = min(best[0], s), max(best[1], e)
    return [(" ".join(c[2]), c[0], c[1]) for c in cols]


def fixed_width_row(line: str, cols):
    cells = [""] * len(cols)
    for s, e, t in spans(line):
        ovs = [min(e, ce) - max(s, cs) for _, cs, ce in cols]
        j = max(range(len(cols)), key=lambda k: ovs[k])
        if ovs[j] <= 0:
            j = min(range(len(cols)), key=lambda k: max(cols[k][1] - e, s - cols[k][2]))
        if cells[j]:
            raise ParseError(f"two cells in column {cols[j][0]!r}: {line.strip()!r}")
        cells[j] = t
    return cells


def kv_row(line: str):
    parts = [t for _, _, t in spans(line)]
    if len(parts) == 2:
        return parts
    if len(parts) == 1:
        return ["", parts[0]]  # continuation of the previous value
    raise ParseError(f"label/value row with {len(parts)} cells: {line.strip()!r}")


def parse_txt(path: Path):
    items = txt_items(path.read_text(encoding="latin-1"))
    tables: list = []  # Table, or ("status", text), or "PAGE"
    notes: list[str] = []
    i = 0
    n = len(items)

    def is_boundary(it):
        if it == "PAGE":
            return True
        joined = " ".join(x.strip() for x in it)
        if match_title(joined) or STATUS_RE.fullmatch(joined):
            return True
        return spans(it[-1])[0][2] == "Obs"

    while i < n:
        it = items[i]
        if it == "PAGE":
            tables.append("PAGE")
            i += 1
            continue
        joined = re.sub(r"\s+", " ", " ".join(x.strip() for x in it))
        st = STATUS_RE.fullmatch(joined)
        mt = match_title(joined)
        if st:
            tables.append(("status", joined))
            i += 1
            continue
        if mt or spans(it[-1])[0][2] == "Obs":
            if mt:
                key, kind, m, title = mt
                t = Table(key, title, kind, m)
                i += 1
            else:  # untitled PROC PRINT of an ODS data set: this paragraph is the heading
                t = Table("print", "PROC PRINT", "table", None)
                kind = "table"
            if kind == "table":
                if i >= n or items[i] == "PAGE" or (mt and is_boundary(items[i])):
                    tables.append(t)  # title at the bottom of a page; continued later
                    continue
                cols = fixed_width_columns(items[i])
                t.columns = [c[0] for c in cols]
                i += 1
                while i < n and not is_boundary(items[i]):
                    for ln in items[i]:
                        t.rows.append(fixed_width_row(ln, cols))
                    i += 1
            else:
                while i < n and not is_boundary(items[i]):
                    for ln in items[i]:
                        t.rows.append(kv_row(ln))
                    i += 1
            tables.append(t)
            continue
        notes.append(f"unrecognised paragraph skipped: {joined[:80]!r}")
        i += 1

    # merge tables continued after a page break
    merged: list = []
    last = None  # the last Table, while nothing but PAGE markers came after it
    page_since_last = False
    for t in tables:
        if t == "PAGE":
            page_since_last = True
            continue
        if (
            isinstance(t, Table)
            and last is not None
            and page_since_last
            and t.title == last.title
            and t.key != "print"
        ):
            if not last.columns:
                last.columns = t.columns
            elif t.columns and t.columns != last.columns:
                raise ParseError(f"{path.name}: continued table {t.title!r} changed headings")
            last.rows.extend(t.rows)
            continue
        merged.append(t)
        last = t if isinstance(t, Table) else None
        page_since_last = False
    return merged, notes


# --------------------------------------------------------------------------------------
# .rtf files
# --------------------------------------------------------------------------------------
SKIP_DESTINATIONS = {
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "header",
    "footer",
    "headerl",
    "headerr",
    "footerl",
    "footerr",
    "pict",
    "object",
}


def rtf_rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    row: list[str] = []
    buf: list[str] = []
    stack: list[bool] = []  # per group: skipped?
    skip = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "{":
            stack.append(skip)
            i += 1
            # destination group?
            m = re.match(r"\\(\*\\)?([a-z]+)", text[i : i + 40])
            if m and (m.group(1) or m.group(2) in SKIP_DESTINATIONS):
                skip = True
            continue
        if c == "}":
            skip = stack.pop() if stack else False
            i += 1
            continue
        if c == "\\":
            m = re.match(r"\\([a-z]+)(-?\d+)? ?", text[i : i + 64])
            if m:
                word = m.group(1)
                i += m.end()
                if skip:
                    continue
                if word == "cell":
                    row.append(re.sub(r"\s+", " ", "".join(buf)).strip())
                    buf = []
                elif word == "row":
                    if row:
                        rows.append(row)
                    row, buf = [], []
                elif word == "trowd":
                    row, buf = [], []
                elif word in ("line", "par", "tab"):
                    buf.append(" ")
                elif word in ("emdash", "endash"):
                    buf.append("-")
                continue
            nxt = text[i + 1 : i + 2]
            if nxt == "'":
                if not skip:
                    buf.append(bytes([int(text[i + 2 : i + 4], 16)]).decode("cp1252"))
                i += 4
            elif nxt == "~":
                buf.append(" ")
                i += 2
            elif nxt in "\\{}":
                if not skip:
                    buf.append(nxt)
                i += 2
            elif nxt == "_":
                buf.append("-")
                i += 2
            else:  # \- \* \| etc.
                i += 2
            continue
        if c in "\r\n":
            i += 1
            continue
        if not skip:
            buf.append(c)
        i += 1
    return rows


def parse_rtf(path: Path):
    rows = rtf_rows(path.read_text(encoding="cp1252"))
    tables: list = []
    notes: list[str] = []
    t = None
    expect_header = False
    for r in rows:
        if len(r) == 1:
            st = STATUS_RE.fullmatch(r[0])
            mt = match_title(r[0])
            if st:
                tables.append(("status", r[0]))
                t = None
                continue
            if mt:
                key, kind, m, title = mt
                t = Table(key, title, kind, m)
                tables.append(t)
                expect_header = kind == "table"
                continue
            if t is None:
                if r[0] not in ("The SAS System", "The Mixed Procedure"):
                    notes.append(f"unrecognised RTF row skipped: {r[0][:80]!r}")
                continue
        if t is None:
            notes.append(f"RTF row outside a table skipped: {r}")
            continue
        if expect_header:
            t.columns = r
            expect_header = False
        elif t.kind == "kv":
            if len(r) != 2:
                raise ParseError(f"{path.name}: label/value row {r}")
            t.rows.append(r)
        else:
            if len(r) != len(t.columns):
                raise ParseError(f"{path.name}: row {r} does not fit columns {t.columns}")
            t.rows.append(r)
    return tables, notes


# --------------------------------------------------------------------------------------
# interpretation of tables -> JSON record
# --------------------------------------------------------------------------------------
def kv_dict(t: Table) -> dict:
    out: dict = {}
    last = None
    for label, value in t.rows:
        if label == "":
            if last is None:
                raise ParseError(f"continuation without a label in {t.title}")
            out[last] = out[last] + ("" if out[last].endswith("-") else " ") + value
        else:
            out[label] = value
            last = label
    return out


def effect_rows(t: Table, *, kind: str) -> list[dict]:
    """Rows of Solution / LS-means / Diffs / Slices / Type 3 / covparms tables."""
    out = []
    known = [FIELD.get(c) for c in t.columns]
    for cells in t.rows:
        rec: dict = {}
        levels: dict = {}
        other: dict = {}
        for col, field, cell in zip(t.columns, known, cells, strict=True):
            if field is None:  # a CLASS variable column
                if cell == "":
                    continue
                if col.startswith("_"):
                    other[col[1:]] = cell
                else:
                    levels[col] = cell
            elif field in TEXT_FIELDS:
                rec[field] = cell if cell != "" else None
            else:
                put_num(rec, field, cell)
        if kind in ("solution", "lsmeans", "diffs", "print_solution"):
            rec["levels"] = levels
        if kind == "diffs":
            rec["other_levels"] = other
        if kind == "slices":
            rec["slice"] = levels
        if kind in ("covparms", "type3", "null_model_lrt") and levels:
            raise ParseError(f"unexpected columns {levels} in {t.title}")
        printed = rec.pop("printed", None)
        if printed:
            rec["printed"] = printed
        out.append(rec)
    return out


def matrix_rows(t: Table) -> list[list]:
    """Estimated R (correlation) matrix: Row, Col1..Colk."""
    if t.columns[0] != "Row":
        raise ParseError(f"matrix table without Row column: {t.columns}")
    return [[num(c)[0] for c in cells[1:]] for cells in t.rows]


def class_levels(t: Table) -> dict:
    out: dict = {}
    last = None
    for cls, nlev, values in t.rows:
        if cls == "":
            if last is not None and last != "USUBJID":
                out[last]["values"] += " " + values
            continue
        last = cls
        out[cls] = {"n_levels": int(nlev)}
        if cls != "USUBJID":
            out[cls]["values"] = values
    return out


def interpret(tables: list, notes: list[str]) -> dict:
    rec: dict = {}
    status = [s for k, s in (x for x in tables if isinstance(x, tuple))]
    for t in tables:
        if isinstance(t, tuple):
            continue
        key = t.key
        if key == "model_info":
            mi = kv_dict(t)
            rec["model_info"] = mi
            for out_key, label in [
                ("method", "Estimation Method"),
                ("covariance", "Covariance Structure"),
                ("ddfm", "Degrees of Freedom Method"),
                ("se_method", "Fixed Effects SE Method"),
                ("subject_effect", "Subject Effect"),
                ("group_effect", "Group Effect"),
                ("weight", "Weight Variable"),
            ]:
                if label in mi:
                    rec[out_key] = mi[label]
        elif key == "class_levels":
            rec["class_levels"] = class_levels(t)
        elif key == "dimensions":
            d = {k: int(v) for k, v in kv_dict(t).items()}
            rec["dimensions"] = d
            if "Subjects" in d:
                rec["n_subjects"] = d["Subjects"]
        elif key == "n_observations":
            d = {k: int(v) for k, v in kv_dict(t).items()}
            if "Number of Observations Used" in d:
                rec["n_obs"] = d["Number of Observations Used"]
            if "Number of Observations Read" in d:
                rec["n_obs_read"] = d["Number of Observations Read"]
            if "Number of Observations Not Used" in d:
                rec["n_obs_not_used"] = d["Number of Observations Not Used"]
        elif key == "iteration_history":
            hist = []
            objective_label = t.columns[2]
            for cells in t.rows:
                hist.append(
                    {
                        "iteration": int(cells[0]),
                        "evaluations": int(cells[1]),
                        "objective": num(cells[2])[0],
                        "criterion": num(cells[3])[0],
                        "printed": {
                            k: v for k, v in (("objective", cells[2]), ("criterion", cells[3])) if v
                        },
                    }
                )
            rec["iteration_history"] = hist
            if hist:
                rec["final_objective"] = {
                    "label": objective_label,
                    "value": hist[-1]["objective"],
                    "printed": hist[-1]["printed"]["objective"],
                    "iteration": hist[-1]["iteration"],
                }
        elif key in ("r_matrix", "r_correlation"):
            rec.setdefault(key + "_by_subject", {})[t.match.group("subject")] = matrix_rows(t)
        elif key in ("covparms", "covparms_last_iteration"):
            rec[key] = effect_rows(t, kind="covparms")
        elif key == "fit":
            fit, printed = {}, {}
            for label, value in kv_dict(t).items():
                short = re.sub(r"\s*\(Smaller is Better\)", "", label)
                fit[short] = num(value)[0]
                printed[short] = value
            rec["fit"] = fit
            rec["fit_printed"] = printed
        elif key == "null_model_lrt":
            rows = effect_rows(t, kind="null_model_lrt")
            if len(rows) != 1:
                raise ParseError("null model LRT with several rows")
            r = rows[0]
            if "p_value_chisq" in r:  # 'Pr > ChiSq' is the only p-value here
                r["p_value"] = r.pop("p_value_chisq")
                if "p_value_chisq_text" in r:
                    r["p_value_text"] = r.pop("p_value_chisq_text")
                if "printed" in r and "p_value_chisq" in r["printed"]:
                    r["printed"]["p_value"] = r["printed"].pop("p_value_chisq")
            rec["null_model_lrt"] = r
        elif key in ("solution", "lsmeans", "diffs", "slices", "type3"):
            if key in rec:
                raise ParseError(f"two {t.title} tables")
            rec[key] = effect_rows(t, kind=key)
        elif key == "empirical_covb":
            cls_cols = [
                j
                for j, c in enumerate(t.columns)
                if c not in ("Row", "Effect") and not re.fullmatch(r"Col\d+", c)
            ]
            col_cols = [j for j, c in enumerate(t.columns) if re.fullmatch(r"Col\d+", c)]
            labels, mat = [], []
            for cells in t.rows:
                labels.append(
                    {
                        "effect": cells[t.columns.index("Effect")],
                        "levels": {t.columns[j]: cells[j] for j in cls_cols if cells[j]},
                    }
                )
                mat.append([num(cells[j])[0] for j in col_cols])
            rec["empirical_covb"] = {
                "row_labels": labels,
                "col_labels": [t.columns[j] for j in col_cols],
                "matrix": mat,
                "note": "blank cells (aliased columns) are null",
            }
        elif key == "print":
            cols = set(t.columns)
            if "Effect" in cols:
                rec["print_solution"] = [
                    {k: v for k, v in r.items() if k != "obs"}
                    for r in effect_rows(t, kind="print_solution")
                ]
                for r in rec["print_solution"]:
                    r.get("printed", {}).pop("obs", None)
            elif "Cov Parm" in cols or "CovParm" in cols:
                rec["print_covparms"] = [
                    {k: v for k, v in r.items() if k != "obs"}
                    for r in effect_rows(t, kind="covparms")
                ]
                for r in rec["print_covparms"]:
                    r.get("printed", {}).pop("obs", None)
            else:
                notes.append(f"PROC PRINT table with columns {t.columns} not interpreted")
    # convergence
    if any(s.startswith("Convergence criteria met") for s in status):
        rec["converged"] = True
    elif any(s.startswith("WARNING") for s in status):
        rec["converged"] = False
    if status:
        rec["convergence_status"] = status
    return rec


# --------------------------------------------------------------------------------------
# .csv files
# --------------------------------------------------------------------------------------
def clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


def parse_csv(path: Path) -> dict:
    df = pd.read_csv(path, keep_default_na=False, na_values=["NaN", "NA", ""])
    first = df.columns[0]
    if first in ("", "Unnamed: 0"):  # R row names written by write.csv
        df = df.drop(columns=first)
    columns = [str(c) for c in df.columns]
    if path.name.endswith("_covb.csv"):
        col_labels = [c for c in columns if re.fullmatch(r"Col\d+", c)]
        cls_cols = [c for c in columns if c not in col_labels and c not in ("Row", "Effect")]
        labels, mat = [], []
        for _, r in df.iterrows():
            labels.append(
                {
                    "row": int(r["Row"]),
                    "effect": r["Effect"],
                    "levels": {c: r[c] for c in cls_cols if clean(r[c]) is not None},
                }
            )
            mat.append([clean(float(r[c])) for c in col_labels])
        return {
            "source": "csv",
            "columns": columns,
            "row_labels": labels,
            "col_labels": col_labels,
            "matrix": mat,
        }
    records = [
        {c: clean(v) for c, v in zip(columns, row, strict=True)}
        for row in df.itertuples(index=False)
    ]
    return {"source": "csv", "columns": columns, "records": records}


KEY_ORDER = [
    "source",
    "parse_error",
    "parse_notes",
    "method",
    "covariance",
    "ddfm",
    "se_method",
    "subject_effect",
    "group_effect",
    "weight",
    "n_subjects",
    "n_obs",
    "n_obs_read",
    "n_obs_not_used",
    "converged",
    "convergence_status",
    "fit",
    "fit_printed",
    "final_objective",
    "covparms",
    "covparms_last_iteration",
    "solution",
    "type3",
    "lsmeans",
    "diffs",
    "slices",
    "empirical_covb",
    "print_solution",
    "print_covparms",
    "null_model_lrt",
    "model_info",
    "class_levels",
    "dimensions",
    "r_matrix_by_subject",
    "r_correlation_by_subject",
    "iteration_history",
]


def order_keys(rec: dict) -> dict:
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    return dict(sorted(rec.items(), key=lambda kv: rank.get(kv[0], len(rank))))


# --------------------------------------------------------------------------------------
def dump_json(obj, level: int = 0) -> str:
    """JSON with files and their sections on separate lines, each table row on one line."""
    pad = " " * level

    def flat(v):
        return json.dumps(v, ensure_ascii=False)

    if level < 2 and isinstance(obj, dict):
        items = [f"{pad} {flat(k)}: {dump_json(v, level + 1).lstrip()}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}" + ("\n" if level == 0 else "")
    if level == 2 and isinstance(obj, list) and obj and isinstance(obj[0], (dict, list)):
        return "[\n" + ",\n".join(f"{pad}  {flat(v)}" for v in obj) + "\n" + pad + "]"
    if (
        level == 2
        and isinstance(obj, dict)
        and any(isinstance(v, (list, dict)) for v in obj.values())
    ):
        items = [f"{pad}  {flat(k)}: {flat(v)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return flat(obj)


# --------------------------------------------------------------------------------------
def listing_files() -> list[Path]:
    files = []
    for folder in FOLDERS:
        files.extend(
            sorted(p for p in (HERE / folder).iterdir() if p.suffix in (".txt", ".rtf", ".csv"))
        )
    return files


SUMMARY_KEYS = [
    "method",
    "covariance",
    "ddfm",
    "converged",
    "n_subjects",
    "n_obs",
    "fit",
    "covparms",
    "covparms_last_iteration",
    "solution",
    "type3",
    "lsmeans",
    "diffs",
    "slices",
    "empirical_covb",
    "print_solution",
    "print_covparms",
    "final_objective",
    "r_matrix_by_subject",
    "records",
    "matrix",
]


def main() -> int:
    result: dict = {}
    problems: list[str] = []
    for path in listing_files():
        rel = path.relative_to(HERE).as_posix()
        try:
            if path.suffix == ".csv":
                rec = parse_csv(path)
            else:
                tables, notes = (parse_txt if path.suffix == ".txt" else parse_rtf)(path)
                rec = interpret(tables, notes)
                rec["source"] = path.suffix[1:]
                if notes:
                    rec["parse_notes"] = notes
                    problems.extend(f"{rel}: {n}" for n in notes)
        except ParseError as exc:
            problems.append(f"{rel}: FAILED: {exc}")
            rec = {"source": path.suffix[1:], "parse_error": str(exc)}
        result[rel] = order_keys(rec)

    meta = {
        "description": "Numbers from SAS PROC MIXED listings on fev_data (openpharma/mmrm design/, "
        "Apache-2.0), parsed by parse_listings.py; see README.md.",
        "p_values": "'<.0001' is stored as p_value null with p_value_text '<.0001'",
        "printed": "each row's 'printed' holds the printed strings of its numbers (precision)",
    }
    OUTPUT.write_text(dump_json({"_meta": meta, **result}))

    # summary
    print(f"wrote {OUTPUT.relative_to(HERE.parent.parent.parent)}: {len(result)} files")
    for rel, rec in result.items():
        parts = []
        for k in SUMMARY_KEYS:
            if k not in rec:
                continue
            v = rec[k]
            if isinstance(v, list):
                parts.append(f"{k}[{len(v)}]")
            elif isinstance(v, dict):
                parts.append(f"{k}{{{len(v)}}}")
            else:
                parts.append(f"{k}={v}")
        print(f"  {rel}: {', '.join(parts)}")
    if problems:
        print("problems:")
        for p in problems:
            print("  " + p)
    else:
        print("no parse problems")
    return 1 if any("FAILED" in p for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
