"""Models of the trial's outcomes: the MMRM engine (:mod:`outcomes.models.mmrm`), per-visit
ANCOVA, responders, effect sizes, durability and multiplicity."""
