# %% [markdown]
# # Secondary outcomes: responders, effect sizes, trajectories and durability
#
# The sample trial (simulated, calibrated to the DMT phase 2a trial; `outcomes.load_sample()`).
# Response is a fall of at least 50% in MADRS from baseline, remission a total of 10 or less.
#
# **Missing data.** Responder rates count a participant without a MADRS total at a visit as a
# non-responder (composite strategy); the sensitivity rule excludes them. Effect sizes on change
# use the participants observed at the visit. The mixed models of trajectories and the MMRM use
# every observed assessment (missing at random); the GEE assumes data missing completely at random
# given the covariates.

# %%
import outcomes

trial = outcomes.derive(outcomes.load_sample())
frame = outcomes.add_time_axes(trial)
after_dose = frame["phase"].isin(["post-dose", "follow-up"])
madrs = frame[(frame["instrument"] == "madrs") & after_dose].copy()
# Responder tables count every randomised participant: the baseline rows carry in the one who
# left before the first post-dose visit (a non-responder at every visit).
randomised = frame[(frame["instrument"] == "madrs") & (frame["phase"] != "screening")]
madrs["visit"] = madrs["visit"].cat.remove_unused_categories()
madrs["weeks"] = madrs["study_day"] / 7
madrs["weeks_after_dose_2"] = madrs["days_after_dose_2"] / 7

# %% [markdown]
# ## Response and remission by visit
#
# Risk difference with Newcombe's hybrid score interval, odds ratio adjusted for baseline MADRS,
# number needed to treat.

# %%
columns = [
    "visit",
    "responders",
    "percent",
    "responders_reference",
    "percent_reference",
    "risk_difference",
    "rd_conf_low",
    "rd_conf_high",
    "odds_ratio",
    "nnt",
]
rates = {}
for outcome in ("response", "remission"):
    rates[outcome] = outcomes.responders(
        randomised,
        outcome=outcome,
        arm="arm",
        subject="subject",
        reference="PLACEBO",
        by="visit",
        covariates=["base"],
        by_levels=list(madrs["visit"].cat.remove_unused_categories().cat.categories),
    )
    print(outcome)
    print(rates[outcome][columns].round(3).to_string(index=False))

# %% [markdown]
# The response table as it would be published:

# %%
print(outcomes.tables.responder_table(rates["response"], covariates=["base"]))

# %% [markdown]
# Sensitivity: participants without a value excluded rather than counted as non-responders.

# %%
excluded = outcomes.responders(
    madrs,
    outcome="response",
    arm="arm",
    subject="subject",
    reference="PLACEBO",
    by="visit",
    missing="exclude",
)
print(
    excluded[["visit", "n", "percent", "n_reference", "percent_reference", "risk_difference"]]
    .round(3)
    .to_string(index=False)
)

# %% [markdown]
# ## Longitudinal responder model (GEE)
#
# Response at every post-dose visit, logistic GEE with an exchangeable working correlation and
# robust standard errors (geepack's estimators): the odds ratio of response on DMT against placebo
# averaged over visits, adjusted for baseline.

# %%
gee_fit = outcomes.gee(
    "response ~ base + arm + visit",
    madrs,
    subject="subject",
    family="binomial",
    reference="PLACEBO",
)
print(gee_fit.to_frame(exponentiate=True).query("term == 'armDMT'").round(3).to_string(index=False))

# %% [markdown]
# ## Effect sizes
#
# Cohen's d and Hedges' g of the change at each visit (observed cases), and the primary MMRM
# difference standardised by the pooled baseline SD.

# %%
d = outcomes.cohens_d(madrs, outcome="chg", arm="arm", reference="PLACEBO", by="visit")
print(d.round(2).to_string(index=False))

fit = outcomes.mmrm(
    "chg ~ base * visit + arm * visit + us(visit | subject)",
    madrs,
    df="kenward-roger",
    reference="PLACEBO",
)
baseline = frame[(frame["instrument"] == "madrs") & (frame["visit"] == "BASELINE")]
sd0 = outcomes.pooled_sd(baseline, outcome="total", arm="arm")
standardized = outcomes.standardized_difference(
    fit.contrasts("arm", by="visit", reference="PLACEBO"), sd0
)
print(f"pooled baseline SD {sd0:.2f}")
print(
    standardized[["visit", "estimate", "d", "d_conf_low", "d_conf_high"]]
    .round(2)
    .to_string(index=False)
)

# %% [markdown]
# ## Trajectories over time
#
# A linear mixed model of the change with a random intercept and slope per participant, time in
# weeks since the first dose, broken at the second dose (piecewise linear): does the slope change
# after dose 2, and differently on DMT? REML; standard errors as lme4 and SAS, Satterthwaite df.

# %%
trajectory = outcomes.lmm(
    "chg ~ base + arm * (weeks + weeks_after_dose_2)",
    madrs,
    subject="subject",
    random="1 + weeks",
    reference="PLACEBO",
)
print(trajectory.summary())

# %% [markdown]
# The arm difference the model implies at week 2 (just before the second dose):
# `armDMT + 2 armDMT:weeks`.

# %%
terms = trajectory.design.columns
row = [0.0] * len(terms)
row[terms.index("armDMT")] = 1.0
row[terms.index("armDMT:weeks")] = 2.0
print(trajectory.estimate(row).round(3).to_string(index=False))

# %% [markdown]
# ## Durability
#
# Among the responders at week 2 (the primary visit), the proportion still responding at each
# later visit (missing = no longer responding), and the time from first response to its loss
# (Kaplan-Meier, Cox hazard ratio).

# %%
kept = outcomes.still_responding(
    madrs, outcome="response", subject="subject", visit="visit", anchor="WEEK 2", arm="arm"
)
print(kept.round(3).to_string(index=False))

times = outcomes.relapse_times(
    madrs, outcome="response", subject="subject", time="study_day", arm="arm"
)
print(outcomes.kaplan_meier(times, arm="arm").round(3).to_string(index=False))
print(
    outcomes.hazard_ratio(times, arm="arm", reference="PLACEBO").round(3).to_string(index=False)
)

# %% [markdown]
# ## Multiplicity over the key secondary endpoints
#
# Week-2 secondary endpoints, Holm's procedure.

# %%
week2 = fit.contrasts("arm", by="visit", reference="PLACEBO").set_index("visit")
response_week2 = rates["response"]
family = {
    "MADRS change, week 1": float(week2.loc["WEEK 1", "p_value"]),
    "MADRS change, week 4": float(week2.loc["WEEK 4", "p_value"]),
    "response, week 2": float(response_week2.set_index("visit").loc["WEEK 2", "or_p_value"]),
}
print(outcomes.adjust_pvalues(family, "holm").round(4).to_string(index=False))
