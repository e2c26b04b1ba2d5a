"""`python -m connectors.telegram`: run the Telegram bridge."""

import sys

from connectors.telegram.main import main

sys.exit(main())
