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
    rollups.py   pre-aggregated usage per hour (written with each batch of rows), the dashboard's input
    dashboard.py the dashboard's queries over the rollups (no row text exists to show)
    cli.py       `python -m services.audit`

The names below load their module on first use (PEP 562), so the store can create the rollup tables
(`rollups.py`, which imports nothing of the project) without loading the writer that uses the store.
"""

from __future__ import annotations

import importlib
from typing import Any

_SURFACE = {
    "TurnRecord": "records", "AuthRecord": "records", "canonical_json": "records", "COLUMNS": "records",
    "AUTH_KINDS": "records", "AuditLog": "log", "tail": "log", "verify_chain": "verify",
    "format_table": "cli", "main": "cli",
}

__all__ = list(_SURFACE)


def __getattr__(name: str) -> Any:
    module = _SURFACE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
