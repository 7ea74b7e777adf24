"""``python -m election`` runs the ``seqvrf`` command line."""

import sys

from election.cli import main

sys.exit(main())
