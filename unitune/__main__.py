"""``python -m unitune``: the same as the ``unitune`` command."""

import sys

from unitune.cli import main

sys.exit(main())
