"""What the anonymisation guard (:mod:`outcomes.validate.anonymity`) looks for.

:mod:`~outcomes.validate.identifiers.columns` reads column names, :mod:`~.values` finds identifiers
written in cells (e-mail addresses, telephone and identity numbers, dates, addresses, ages) and
:mod:`~.names` finds people's names and initials, with the list of names in ``names.txt``.
"""
