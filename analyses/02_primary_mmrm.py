# %% [markdown]
# # The primary analysis: MMRM of change in MADRS
#
# **Estimand.** Difference between DMT and placebo in the mean change from baseline in MADRS
# total at each post-dose visit, under a hypothetical strategy for discontinuation (data after
# dropout are not observed; MMRM under missing at random).
#
# **Model.** Mixed model for repeated measures of the change from baseline, with fixed effects
# for baseline MADRS, arm, visit, and arm-by-visit and baseline-by-visit interactions, an
# unstructured within-subject covariance, REML, and Kenward-Roger degrees of freedom and adjusted
# standard errors (SAS: `PROC MIXED ... DDFM=KR; REPEATED VISIT / TYPE=UN`). LS means by arm
# and visit; the arm difference at every visit with its 95% CI. Week 2 is the primary visit.

# %%
import outcomes

trial = outcomes.derive(outcomes.load_sample())
frame = trial.frame
post_dose = ["DAY 2", "WEEK 1", "WEEK 2", "DAY 16", "WEEK 3", "WEEK 4", "WEEK 8", "WEEK 12"]
madrs = frame[(frame["instrument"] == "madrs") & frame["visit"].isin(post_dose)].copy()
madrs["visit"] = madrs["visit"].cat.remove_unused_categories()

fit = outcomes.mmrm(
    "chg ~ base * visit + arm * visit + us(visit | subject)",
    madrs,
    df="kenward-roger",
    reference="PLACEBO",
)
print(fit.summary().split("\n\n")[0])

# %% [markdown]
# ## LS means of change, by arm and visit

# %%
print(fit.lsmeans(["arm", "visit"]).round(2).to_string(index=False))

# %% [markdown]
# ## DMT minus placebo at every visit (primary: week 2)

# %%
differences = fit.contrasts("arm", by="visit", reference="PLACEBO")
print(differences.round(3).to_string(index=False))

# %% [markdown]
# ## Type III tests and the estimated covariance

# %%
print(fit.anova().round(4).to_string(index=False))
print(fit.covariance(correlation=True).round(2).to_string())

# %% [markdown]
# ## The results table, as it would be published

# %%
print(outcomes.tables.lsmeans_table(fit, reference="PLACEBO"))
