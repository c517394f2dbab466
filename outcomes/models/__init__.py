"""Models of the trial's outcomes: the MMRM engine (:mod:`outcomes.models.mmrm`)."""
