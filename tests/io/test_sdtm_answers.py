"""SDTM QS as collected: text answers, questionnaires not done."""

from __future__ import annotations

import pandas as pd
import pytest

import outcomes

# The GAD-7's printed answer options and their scores (Spitzer et al. 2006): 0-3.
WORDING = ["NOT AT ALL", "Several days", "More than half the days", "nearly  every day"]


def qs(answers: list[str], status: str | None = None) -> pd.DataFrame:
    rows = []
    for subject, arm in (("S001", "PLACEBO"), ("S002", "DMT")):
        for visit, num, day in (("BASELINE", 1, 1), ("WEEK 2", 2, 15)):
            for k, answer in enumerate(answers, start=1):
                rows.append(
                    {
                        "USUBJID": subject,
                        "ARM": arm,
                        "QSCAT": "GAD-7",
                        "QSTESTCD": f"GAD020{k}",
                        "QSORRES": answer,
                        "QSSTAT": status,
                        "VISIT": visit,
                        "VISITNUM": num,
                        "QSDY": day,
                    }
                )
    return pd.DataFrame(rows)


def test_text_answers_are_scored_by_the_instruments_wording() -> None:
    answers = [WORDING[k % 4] for k in range(7)]  # 0, 1, 2, 3, 0, 1, 2
    trial = outcomes.from_frame(qs(answers), layout="sdtm-qs")
    assert trial.frame["total"].tolist() == [9.0] * 4
    assert any("28 text answers (QSORRES) scored" in n for n in trial.notes)


def test_an_answer_not_in_the_wording_is_reported() -> None:
    answers = [WORDING[0]] * 6 + ["sometimes"]
    with pytest.raises(outcomes.ValidationError) as caught:
        outcomes.from_frame(qs(answers), layout="sdtm-qs")
    problems = caught.value.problems
    errors = problems[problems["severity"] == "error"]
    assert set(errors["code"]) == {"non-numeric-score"}
    assert len(errors) == 4  # the 7th item of every assessment, each located
    assert set(errors["column"]) == {"QSORRES"}
