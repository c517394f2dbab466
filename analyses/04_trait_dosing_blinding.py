# %% [markdown]
# # Trait change, repeated dosing and blinding
#
# The sample trial (`outcomes.load_sample()`): NEO-FFI neuroticism at baseline and week 12,
# MEQ-30 after each of two dosing sessions (day 1 and about day 15), MADRS around each dose.
# Within-arm analyses use the participants with both assessments (complete pairs); how many were
# left out is printed with each table.

# %%
import outcomes

trial = outcomes.load_sample()

# %% [markdown]
# ## Neuroticism, baseline to week 12
#
# Within each arm: paired t test, Wilcoxon signed-rank test and d_z. Between arms: ANCOVA of the
# week-12 score on the baseline score and arm. The acute experience (MEQ-30 after the first dose,
# and its mean over both sessions) as a predictor of the change, and as a moderator of the arm
# difference (arm x MEQ-30 interaction).

# %%
trait = outcomes.trait_change(
    trial,
    instrument="neo-ffi-n",
    pre="BASELINE",
    post="WEEK 12",
    acute={"meq30_dose1": ("meq30", "DOSE 1"), "meq30_mean": ("meq30", ["DOSE 1", "DOSE 2"])},
    reference="PLACEBO",
)
print("\n".join(trait.notes))
print(trait.within.round(3).to_string(index=False))
print(trait.between.round(3).to_string(index=False))
print(trait.predictors.query("term not in ['(Intercept)', 'pre']").round(3).to_string(index=False))

# %% [markdown]
# ## The acute response to each dose
#
# MADRS from just before each dose to 24 hours after it (baseline to day 2; week 2 to day 16).

# %%
print(outcomes.session_visits(trial, instrument="madrs"))
acute = outcomes.session_response(trial, instrument="madrs")
print(
    acute[
        [
            "session",
            "pre_visit",
            "post_visit",
            "arm",
            "n",
            "mean_pre",
            "mean_change",
            "conf_low",
            "conf_high",
            "p_value",
            "d_z",
        ]
    ]
    .round(3)
    .to_string(index=False)
)

# %% [markdown]
# Does the second dose work as well as the first? Equivalence of the acute change (second minus
# first) within a margin of 3 MADRS points, two one-sided tests at 5% (90% interval). The second
# dose starts from a lower score, so a smaller acute change is expected.

# %%
print(
    outcomes.dose_equivalence(trial, margin=3.0, instrument="madrs").round(3).to_string(index=False)
)

# %% [markdown]
# ## Blinding integrity
#
# End-of-treatment guesses (simulated for the sample; `outcomes.sample_guesses`). Bang's index per
# arm (0: random guessing; above 0.2: unblinding) and James' index (below 0.5 at the upper limit:
# lack of blinding).

# %%
guesses = outcomes.sample_guesses(trial)
print(guesses.groupby(["arm", "guess"]).size().to_string())
print(outcomes.blinding(guesses, reference="PLACEBO").round(3).to_string(index=False))
