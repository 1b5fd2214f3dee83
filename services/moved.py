"""Command lines from before the packages-by-noun layout keep working under their old names.

`python -m services.users` (and .models, .bootstrap, .doctor, .replay) are three-line modules that call
`forward`, which says the new name on stderr and runs it with the same arguments. Nothing imports them.
"""

from __future__ import annotations

import runpy
import sys

__all__ = ["MOVED", "forward"]

MOVED = {
    "services.users": "services.auth",
    "services.models": "services.engine.integrity",
    "services.bootstrap": "services.ops.bootstrap",
    "services.doctor": "services.ops.doctor",
    "services.replay": "services.ops.replay",
}


def forward(old: str) -> None:
    """Run the command line that `old` moved to, as `python -m NEW` would."""
    new = MOVED[old]
    print(f"note: `python -m {old}` is now `python -m {new}`.", file=sys.stderr)
    runpy.run_module(new, run_name="__main__", alter_sys=True)
