"""The endpoint analyses trials publish beside the primary model: responders, effect sizes,
paired change, trait change, repeated dosing, durability, blinding and multiplicity. Each takes
a frame (or a fit) and returns a tidy frame; the fitters they use live one level up."""
