"""The audit trail: records without content, an HMAC chain, one writer thread, verification.

    records.py   what a row holds; the chain's arithmetic
    log.py       the writer thread (AuditLog), the tail reader
    checkpoints.py  signed checkpoints (Ed25519) in a file of their own
    verify.py    chain verification naming the first fault
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
