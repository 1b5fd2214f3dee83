"""`python -m services.audit`."""

import sys

from .cli import main

sys.exit(main())
