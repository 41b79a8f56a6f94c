"""``python -m skmultimlp``: see :mod:`skmultimlp.cli`."""

import sys

from .cli import main

# Worker processes (joblib's loky, multiprocessing's spawn) import this module under
# another name; only the command itself runs main.
if __name__ == "__main__":
    sys.exit(main())
