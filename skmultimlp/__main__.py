"""``python -m skmultimlp``: see :mod:`skmultimlp.cli`."""

import sys

from .cli import main

sys.exit(main())
