# %% [markdown]
# # Sensitivity analyses for missing data: estimands, multiple imputation, tipping point
#
# The primary analysis (`02_primary_mmrm.py`) estimates the DMT - placebo difference in MADRS
# change under a hypothetical strategy for discontinuation: an MMRM, valid when data are missing
# at random. Here the estimand is stated per intercurrent event (ICH E9(R1)), and the week-2
# difference is re-estimated under assumptions that are less favourable to DMT:
#
# * **Treatment policy** for discontinuation and unblinding: missing values after them are imputed
#   as if the participant had switched to placebo (jump to reference, J2R); copy reference (CR)
#   and copy increments in reference (CIR) as alternatives.
# * **Hypothetical** for rescue medication: values after starting an SSRI are set aside and
#   imputed under MAR, as if it had not been started.
#
# Imputation model: MMRM of change with baseline-by-visit and arm-by-visit terms and an
# unstructured covariance. Approximate Bayesian multiple imputation (500 imputations, seed 2026)
# with a per-visit ANCOVA (change ~ arm + baseline) pooled by Rubin's rules; conditional mean
# imputation with a jackknife standard error as a deterministic check; then a tipping-point
# analysis: how much worse than J2R must the DMT participants' missing outcomes be for the
# difference to lose significance?

# %%
import numpy as np

import outcomes

trial = outcomes.derive(outcomes.load_sample())
estimand = outcomes.Estimand(
    "change from baseline in MADRS total at week 2",
    intercurrent_events={
        "discontinuation": "treatment policy",
        "unblinding": "treatment policy",
        "rescue medication": "hypothetical",
    },
)
print(estimand.describe())
prepared = estimand.prepare(trial, instrument="madrs")
print("\n".join(prepared.notes))
print(prepared.events.to_string(index=False))

# %%
visits = ["DAY 2", "WEEK 1", "WEEK 2", "DAY 16", "WEEK 3", "WEEK 4", "WEEK 8", "WEEK 12"]
madrs = prepared.data[prepared.data["visit"].isin(visits)]
formula = "chg ~ base * visit + arm * visit + us(visit | subject)"
# The imputations also get the baseline rows, which carry every randomised participant in: one
# placebo participant left before their first post-dose visit and is imputed at every visit.
with_baseline = prepared.data[prepared.data["visit"].isin(["BASELINE", *visits])]


def impute(strategy, **options):  # noqa: ANN001, ANN201 - a notebook helper
    return outcomes.multiple_imputation(
        formula,
        with_baseline,
        arm="arm",
        reference="PLACEBO",
        strategy=strategy,
        visits=visits,
        **options,
    )


# %% [markdown]
# ## The difference at week 2 and week 12 under each assumption
#
# First with the estimand's events: only the participants with a discontinuation, unblinding or
# rescue medication get a reference-based strategy (J2R, or CR / CIR in its place). Then, as a
# stress test, with every participant who has no data after some visit treated as a dropout
# (`strategy=` a single name).

# %%
mmrm = outcomes.mmrm(formula, madrs, reference="PLACEBO")
at = ["WEEK 2", "WEEK 12"]


def summarise(label: str, table) -> None:  # noqa: ANN001 - a contrasts table
    for _, row in table[table["visit"].isin(at)].iterrows():
        print(
            f"{label:40s} {row['visit']:8s} {row['estimate']:7.2f} "
            f"({row['conf_low']:6.2f} to {row['conf_high']:6.2f})  p = {row['p_value']:.4f}"
        )


published = {"MMRM (MAR)": mmrm.contrasts("arm", by="visit")}
summarise("MMRM (MAR)", published["MMRM (MAR)"])
for strategy in ("J2R", "CR", "CIR"):
    chosen = prepared.strategy.assign(
        strategy=prepared.strategy["strategy"].replace({"J2R": strategy})
    )
    mi = impute(chosen, n_imputations=500, seed=2026)
    summarise(f"MI, events: {strategy}", mi.contrasts(by="visit"))
condmean = impute(prepared.strategy, method="condmean")
summarise("conditional mean, events: J2R (jackknife)", condmean.contrasts(by="visit"))
for strategy in ("MAR", "J2R", "CR", "CIR", "LMCF"):
    mi = impute(strategy, n_imputations=500, seed=2026)
    published[f"MI, every dropout: {strategy}"] = mi.contrasts(by="visit")
    summarise(f"MI, every dropout: {strategy}", published[f"MI, every dropout: {strategy}"])

# %% [markdown]
# The week-12 comparison side by side, as it would be published:

# %%
print(outcomes.tables.sensitivity_table(published, visit="WEEK 12"))

# %% [markdown]
# ## Tipping point
#
# The sample trial lost no DMT participant before week 2, so the primary visit's result cannot
# tip. At week 3 (after the second dose) one DMT participant's value is imputed: how much worse
# than J2R must it be for the difference to lose significance? The DMT participants' imputed
# values after their dropout are shifted by delta MADRS points.

# %%
j2r = impute("J2R", n_imputations=500, seed=2026)
tipping = j2r.tipping_point(np.arange(0, 41, 4.0), visit="WEEK 3")
print(
    tipping.table[["delta", "estimate", "conf_low", "conf_high", "p_value", "significant"]]
    .round(3)
    .to_string(index=False)
)
print(f"conclusion changes at delta = {tipping.tipping_point}")

# %% [markdown]
# ## Response at week 2 under a composite strategy
#
# Response (MADRS fall of at least 50%) with rescue medication and discontinuation counted as
# failure from the event on, and missing values as non-response.

# %%
composite = outcomes.Estimand(
    "MADRS response at week 2",
    intercurrent_events={"rescue medication": "composite", "discontinuation": "composite"},
).prepare(trial, instrument="madrs", value="response", outcome_type="binary")
week2 = composite.data[composite.data["visit"] == "WEEK 2"]
every_subject = trial.frame[["subject", "arm"]].drop_duplicates()
week2 = every_subject.merge(week2.drop(columns="arm"), on="subject", how="left")
rates = outcomes.responders(
    week2,
    outcome="response",
    arm="arm",
    subject="subject",
    reference="PLACEBO",
    covariates=[],
    missing="non-responder",
)
print(
    rates[
        [
            "n",
            "responders",
            "percent",
            "responders_reference",
            "percent_reference",
            "risk_difference",
            "rd_conf_low",
            "rd_conf_high",
        ]
    ]
    .round(3)
    .to_string(index=False)
)
