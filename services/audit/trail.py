"""The whole verification, as the command line, doctor, the auditor's page and the dashboard run it.

The chain against the checkpoint file, the signer's own last checkpoint (with a signer service)
and the mirror's copy (when an extract is given), under the pinned key
(`HUSHDESK_AUDIT_EXPECT_KEY` or `verify --expect-key`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from ..config import Settings
from .checkpoints import SignerLike, parse_line
from .mirror import lines_from
from .remote import checkpoints_for, signer_for
from .verify import Verdict, verify

__all__ = ["verify_trail"]

_GRACE = 300.0  # seconds past the checkpoint period before unsigned rows count as a fault


def verify_trail(settings: Settings, keys: Any, engine: Engine, *, mirror_text: str | None = None,
                 expect_key: str | None = None, signer: SignerLike | None = None) -> Verdict:
    """Verify the chain with every check available here; StoreError when the signer cannot be reached."""
    signer = signer or signer_for(settings, keys)
    pinned = expect_key or settings.audit_expect_key
    if pinned and signer.fingerprint != pinned:
        return Verdict(False, None, "wrong-key")
    marks = checkpoints_for(settings, keys, signer).read()
    witnesses = []
    if mirror_text is not None:
        witnesses += [parse_line(raw, signer.public, number) for number, raw in enumerate(lines_from(mirror_text), 1)]
    last = signer.last()
    if last is not None:
        witnesses.append(parse_line(last, signer.public))
    return verify(engine, keys.chain_key, marks, interval=settings.audit_checkpoint_rows,
                  max_unsigned=settings.audit_checkpoint_minutes * 60 + _GRACE, witnesses=witnesses)
