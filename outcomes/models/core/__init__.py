"""The fitting core every fitter builds on: the formula grammar (:mod:`.formula`), model
matrices (:mod:`.model_matrix`), factor levels (:mod:`.frames`), Wald inference
(:mod:`.inference`), the result protocol (:mod:`.protocol`) and the denominator degrees of
freedom (:mod:`.df`, one module per method). Nothing here knows a particular model."""
