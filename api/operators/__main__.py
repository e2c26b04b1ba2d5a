"""`python -m api.operators …`: see api/operators/cli.py."""

import sys

from api.operators.cli import main

sys.exit(main())
