"""Write the sample trial's post-baseline MADRS rows for the R reference scripts beside this file.

Run from the repository's top folder:  python tests/reference/trajectories/make_data.py
The rows are those of ``outcomes.load_sample()`` (default seed) after ``outcomes.derive`` and
``outcomes.add_time_axes``; ``weeks`` is ``study_day / 7`` and ``weeks_after_dose_2`` is
``days_after_dose_2 / 7``. Rows without a change from baseline are left out, as R's model
functions would drop them.
"""

from pathlib import Path

import outcomes

HERE = Path(__file__).parent

frame = outcomes.add_time_axes(outcomes.derive(outcomes.load_sample()))
madrs = frame[(frame["instrument"] == "madrs") & (frame["phase"].isin(["post-dose", "follow-up"]))]
madrs = madrs.dropna(subset=["chg"]).assign(
    weeks=lambda d: d["study_day"] / 7,
    weeks_after_dose_2=lambda d: d["days_after_dose_2"] / 7,
    response=lambda d: d["response"].astype(float),
)
columns = [
    "subject",
    "arm",
    "visit",
    "visit_num",
    "study_day",
    "weeks",
    "weeks_after_dose_2",
    "days_since_dose",
    "site",
    "sex",
    "age",
    "base",
    "total",
    "chg",
    "response",
]
madrs[columns].to_csv(HERE / "sample_madrs.csv", index=False, float_format="%.10g")
