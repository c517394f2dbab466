"""Write the sample trial's per-subject scores for the R reference script beside this file.

Run from the repository's top folder:  python tests/reference/paired/make_data.py
One row per subject of ``outcomes.load_sample()`` (default seed): the arm, NEO-FFI neuroticism at
BASELINE and WEEK 12, MEQ-30 after each dosing session, and MADRS around each dose (BASELINE and
DAY 2 around dose 1, WEEK 2 and DAY 16 around dose 2). Missing scores are empty cells.
"""

from pathlib import Path

import outcomes

HERE = Path(__file__).parent

frame = outcomes.load_sample().frame
wanted = {
    "neo_pre": ("neo-ffi-n", "BASELINE"),
    "neo_post": ("neo-ffi-n", "WEEK 12"),
    "meq_1": ("meq30", "DOSE 1"),
    "meq_2": ("meq30", "DOSE 2"),
    "madrs_pre_1": ("madrs", "BASELINE"),
    "madrs_post_1": ("madrs", "DAY 2"),
    "madrs_pre_2": ("madrs", "WEEK 2"),
    "madrs_post_2": ("madrs", "DAY 16"),
}
subjects = frame[["subject", "arm"]].drop_duplicates().set_index("subject")
for name, (instrument, visit) in wanted.items():
    rows = frame[(frame["instrument"] == instrument) & (frame["visit"] == visit)]
    subjects[name] = rows.set_index("subject")["total"]
subjects.reset_index().to_csv(HERE / "sample_subjects.csv", index=False, float_format="%.10g")
