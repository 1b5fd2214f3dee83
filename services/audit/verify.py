"""Check the audit chain."""

from __future__ import annotations

import hmac

from sqlalchemy.engine import Engine

from ..store import transaction
from .records import COLUMNS, ZERO_MAC, next_mac

__all__ = ["verify_chain"]


def verify_chain(engine: Engine, chain_key: bytes) -> tuple[bool, int | None]:
    """Recompute the chain: (True, None) when intact, else (False, first bad or missing seq)."""
    expected_seq, mac = 1, ZERO_MAC
    with transaction(engine) as conn:
        result = conn.exec_driver_sql(f"SELECT {', '.join(COLUMNS)}, mac FROM audit_events ORDER BY seq")
        while chunk := result.fetchmany(1000):
            for values in chunk:
                row = dict(zip((*COLUMNS, "mac"), values))
                if row["seq"] != expected_seq:
                    return False, expected_seq
                try:
                    mac = next_mac(chain_key, mac, row)
                except (TypeError, ValueError):
                    return False, expected_seq
                if not isinstance(row["mac"], str) or not hmac.compare_digest(mac.hex(), row["mac"]):
                    return False, expected_seq
                expected_seq += 1
    return True, None
