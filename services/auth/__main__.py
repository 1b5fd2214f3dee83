"""`python -m services.auth`: manage users (see `services/auth/cli.py`)."""

import sys

from .cli import main

sys.exit(main())
