"""The audit trail: records without content, an HMAC chain, one writer thread, verification.

    records.py   what a row holds; the chain's arithmetic
    log.py       the writer thread (AuditLog), the tail reader
    checkpoints.py  signed checkpoints (Ed25519) in a file of their own; the in-process key
    signer.py    the signer service (`python -m services.audit.signer`): the key under its own account
    remote.py    the app's client of the signer service; which signer an instance uses
    mirror.py    a second copy of each checkpoint in syslog (journal or a remote collector)
    verify.py    chain verification naming the first fault
    trail.py     the whole verification (file, signer, mirror, pinned key) as CLI, doctor and web run it
    bundle.py    signed export bundles, checkable anywhere
    purge.py     retention
    cli.py       `python -m services.audit`
"""

from .cli import format_table, main
from .log import AuditLog, tail
from .records import AUTH_KINDS, COLUMNS, AuthRecord, TurnRecord, canonical_json
from .verify import verify_chain

__all__ = ["TurnRecord", "AuthRecord", "AuditLog", "verify_chain", "tail", "canonical_json",
           "COLUMNS", "AUTH_KINDS", "format_table", "main"]
