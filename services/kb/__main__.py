"""`python -m services.kb`: manage and search the knowledge base (see `services/kb/cli.py`)."""

import sys

from .cli import main

sys.exit(main())
