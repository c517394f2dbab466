"""Models of the trial's outcomes, in three kinds of module:

* :mod:`outcomes.models.core`: the fitting core (formula grammar, model matrices, Wald
  inference, the result protocol, the df methods: Satterthwaite, Kenward-Roger, between-within,
  residual, normal), shared by every fitter and knowing none of them;
* the fitters: :mod:`outcomes.models.mmrm` (the MMRM engine), :mod:`outcomes.models.lmm`
  (random intercepts and slopes), :mod:`outcomes.models.gee`, :mod:`outcomes.models.ancova`;
* :mod:`outcomes.models.endpoints`: responders, effect sizes, trait change, dosing, durability,
  blinding and multiplicity; and :mod:`outcomes.models.imputation`, multiple imputation and its
  estimands.
"""
