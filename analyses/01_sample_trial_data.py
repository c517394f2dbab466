# %% [markdown]
# # The sample trial: data, validation and derived endpoints
#
# **Data.** The sample trial of *outcomes* is a seeded simulation of a phase 2a design like that
# of IV DMT in major depressive disorder (Erritzoe et al., Nat Med 2026): DMT 21.5 mg vs placebo,
# 1:1, two blinded dosing sessions (days 1 and 15), MADRS and GAD-7 at screening, baseline, the
# day after each dose, weekly to week 4 and at weeks 8 and 12; NEO-FFI neuroticism at baseline and
# week 12; MEQ-30 after each session. It is read here from its CDISC SDTM QS file, as a
# statistician would receive it, with its schedule of assessments and intercurrent events.
#
# **Methods.** Totals are scored from items (no total when an item is missing). Baseline is the
# last total before the first dose. Change and percent change from baseline are derived per visit;
# response is a fall of at least 50%, remission a MADRS total of 10 or less; reliable change follows
# Jacobson & Truax (1991) with the baseline SD and the SIGMA test-retest reliability of 0.93.
# Summaries are observed cases: no imputation.

# %%
from pathlib import Path

import outcomes

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
SAMPLES = HERE.parent / "data_samples"

trial = outcomes.read(
    SAMPLES / "sdtm" / "qs.xpt", schedule=SAMPLES / "schedule.toml", events=SAMPLES / "events.csv"
)
print(trial)
print("\n".join(trial.notes))

# %% [markdown]
# ## What validation found
# No errors (they would have stopped the read); the warnings say which totals could not be scored.

# %%
print(trial.problems.groupby(["severity", "code"]).size().to_string())

# %% [markdown]
# ## Change from baseline in MADRS, observed cases

# %%
derived = outcomes.derive(trial)
madrs = derived.frame[(derived.frame["instrument"] == "madrs") & (derived.frame["session"] > 0)]
change = (
    madrs.groupby(["visit", "arm"], observed=True)["chg"]
    .agg(["count", "mean", "std"])
    .round(2)
    .unstack("arm")
)
print(change.to_string())

# %% [markdown]
# ## Response, remission and reliable improvement at week 2 (the primary visit)

# %%
week2 = madrs[madrs["visit"] == "WEEK 2"]
rates = week2.groupby("arm", observed=True).agg(
    n=("total", "count"),
    response=("response", "mean"),
    remission=("remission", "mean"),
    reliable_improvement=("reliable_change", lambda s: (s.dropna() == "improved").mean()),
)
print(rates.round(3).to_string())

# %% [markdown]
# ## Intercurrent events

# %%
print(trial.events.to_string(index=False))
