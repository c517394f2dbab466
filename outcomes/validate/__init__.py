"""The read-time check, the last stage of reading: from a layout's records to a TrialData.

:func:`~outcomes.validate.build.build_trial` runs every check over the whole file before it decides,
so that one :class:`~outcomes.errors.ValidationError` reports every problem, located: the
anonymisation guard (:mod:`~outcomes.validate.anonymity`, run on the file's table by
:mod:`outcomes.io.read` just before, into the same problem log), the context of each assessment
(:mod:`~outcomes.validate.context`), label variants (:mod:`~outcomes.validate.labels`), score
values and totals (:mod:`~outcomes.validate.values`), the schedule and visits
(:mod:`~outcomes.validate.visits`) and the intercurrent events (:mod:`~outcomes.validate.events`).
"""
