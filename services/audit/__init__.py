"""The audit trail: records without content, an HMAC chain, one writer thread, verification.

    records.py   what a row holds; the chain's arithmetic
    log.py       the writer thread (AuditLog), tail and export readers
    verify.py    chain verification
    cli.py       `python -m services.audit`
"""

from .cli import format_table, main
from .log import AuditLog, export_rows, tail
from .records import AUTH_KINDS, COLUMNS, AuthRecord, TurnRecord, canonical_json
from .verify import verify_chain

__all__ = ["TurnRecord", "AuthRecord", "AuditLog", "verify_chain", "export_rows", "tail", "canonical_json",
           "COLUMNS", "AUTH_KINDS", "format_table", "main"]
