"""``python -m outcomes``: the command line (:func:`outcomes.cli.main`)."""

import sys

from outcomes.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    sys.exit(main())
