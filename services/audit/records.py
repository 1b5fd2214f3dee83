"""Audit records and the HMAC chain's arithmetic (no I/O here).

Rows hold only what the records hold: hashed IDs, role, model, token counts, timings, counts of
redactions per label and an outcome; for a turn that searched the knowledge base, the number of passages
given to the model, the SHA-256 of their documents, the top score, the search's time and keyed hashes of
the collections searched. Never message text, passage text, titles or raw IDs. `ts` is UTC ISO-8601 text
with milliseconds and a Z (`2026-11-22T00:50:58.725Z`), taken when the record is submitted.

Chain: mac_i = HMAC-SHA256(chain_key, mac_{i-1} || canonical_json(row_i without mac)), mac_0 = 32
zero bytes (or the purge anchor's mac), `seq` contiguous from 1.
"""

from __future__ import annotations

import hmac
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

__all__ = ["TurnRecord", "AuthRecord", "COLUMNS", "AUTH_KINDS", "ZERO_MAC", "canonical_json", "next_mac", "mac_of",
           "validate"]

COLUMNS = (
    "seq", "ts", "kind", "session_hash", "user_hash", "role", "model", "prompt_tokens",
    "completion_tokens", "ttft_ms", "latency_ms", "redactions_in", "redactions_out", "outcome",
    "target_hash", "kb_passages", "kb_documents", "kb_top_score", "kb_latency_ms", "kb_collections",
)
# Columns added after m001 (target_hash in m002, kb_* in m005) enter a row's MAC only when set, so rows
# written before them, which hold NULL there, still verify.
_OPTIONAL = frozenset({"target_hash", "kb_passages", "kb_documents", "kb_top_score", "kb_latency_ms",
                       "kb_collections"})
_OPTIONAL_ORDER = tuple(c for c in COLUMNS if c in _OPTIONAL)
_KB_MAX = 64  # documents or collections named in one row
AUTH_KINDS = ("login", "login_failed", "login_refused", "account_locked", "logout", "session_end",
              "consent", "admin_action", "audit_access", "redaction_miss_reported")
ZERO_MAC = bytes(32)
_HASH = re.compile(r"[0-9a-f]{64}")
_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_WORD = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # roles and outcomes
_MODEL = re.compile(r"[A-Za-z0-9_.:@/+-]{0,128}")  # may be empty: engine not named yet

@dataclass(frozen=True)
class TurnRecord:
    """One chat turn: hashes (from keys.hash_id), counts and timings only; kind is "turn"."""

    session_hash: str
    user_hash: str
    role: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    ttft_ms: float | None
    latency_ms: float
    redactions_in: Mapping[str, int]
    redactions_out: Mapping[str, int]
    outcome: str
    # Knowledge-base retrieval, all None/empty when the turn did not search: passages given to the
    # model, SHA-256 of their documents, the top score, the search's time, keyed hashes of the
    # collections searched.
    kb_passages: int | None = None
    kb_documents: Sequence[str] = ()
    kb_top_score: float | None = None
    kb_latency_ms: float | None = None
    kb_collections: Sequence[str] = ()
    kind: str = field(default="turn", init=False)


@dataclass(frozen=True)
class AuthRecord:
    """A sign-in or session event (kind in AUTH_KINDS); `target_hash` names the user an admin acted on."""

    kind: str
    user_hash: str
    role: str | None = None
    session_hash: str | None = None
    outcome: str = "ok"
    target_hash: str | None = None


# One encoder, built once (json.dumps with options builds a new one per call).
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, ASCII only, no NaN."""
    return _ENCODE(value)


def next_mac(chain_key: bytes, previous: bytes, row: Mapping[str, Any]) -> bytes:
    """The chain value of `row` (a dict with COLUMNS) after `previous`."""
    body = {c: row[c] for c in COLUMNS if c not in _OPTIONAL or row.get(c) is not None}
    return hmac.digest(chain_key, previous + _ENCODE(body).encode("ascii"), "sha256")


def mac_of(chain_key: bytes, previous: bytes, values: Sequence[Any]) -> bytes:
    """`next_mac` of a row given as a tuple in COLUMNS order (the fast path for verification)."""
    body = dict(zip(COLUMNS, values))
    for name in _OPTIONAL_ORDER:
        if body[name] is None:
            del body[name]
    return hmac.digest(chain_key, previous + _ENCODE(body).encode("ascii"), "sha256")


def _hash(value: object, what: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise ValueError(f"{what} must be a hash from keys.hash_id (64 lowercase hex)")
    return value


def _word(value: object, what: str, optional: bool = False, pattern: re.Pattern[str] = _WORD) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{what} must be a short label")
    return value


def _count(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer or None")
    return value


def _millis(value: object, what: str, optional: bool) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite non-negative number")
    return float(value)  # stored as REAL: an int would read back as a float and break the MAC


def _redactions(value: object, what: str) -> str:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must map labels to counts")
    for label, count in value.items():
        if not isinstance(label, str) or not _LABEL.fullmatch(label):
            raise ValueError(f"{what} labels must be short entity names")
        _count(count, what)
    return canonical_json(dict(value))


def _hashes(value: object, what: str) -> str:
    """A sorted, deduplicated JSON list of 64-hex hashes (SHA-256 of documents, keyed hashes of names)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ValueError(f"{what} must be a list of hashes")
    items = sorted({_hash(v, what) for v in value})
    if len(items) > _KB_MAX:
        raise ValueError(f"{what} names at most {_KB_MAX} hashes")
    return canonical_json(items)


def _knowledge(record: TurnRecord) -> dict[str, Any]:
    if record.kb_passages is None:
        if record.kb_documents or record.kb_collections or record.kb_top_score is not None \
                or record.kb_latency_ms is not None:
            raise ValueError("knowledge-base figures need kb_passages")
        return {"kb_passages": None, "kb_documents": None, "kb_top_score": None, "kb_latency_ms": None,
                "kb_collections": None}
    score = _millis(record.kb_top_score, "kb_top_score", False)
    if score is not None and score > 1:
        raise ValueError("kb_top_score must be between 0 and 1")
    return {"kb_passages": _count(record.kb_passages, "kb_passages"),
            "kb_documents": _hashes(record.kb_documents, "kb_documents"),
            "kb_top_score": score,
            "kb_latency_ms": _millis(record.kb_latency_ms, "kb_latency_ms", False),
            "kb_collections": _hashes(record.kb_collections, "kb_collections")}


def validate(record: TurnRecord | AuthRecord) -> dict[str, Any]:
    """Validate a record into a row without seq, ts and mac; ValueError on a bad field."""
    if isinstance(record, TurnRecord):
        return {
            "kind": "turn",
            "session_hash": _hash(record.session_hash, "session_hash"),
            "user_hash": _hash(record.user_hash, "user_hash"),
            "role": _word(record.role, "role"),
            "model": _word(record.model, "model", pattern=_MODEL),
            "prompt_tokens": _count(record.prompt_tokens, "prompt_tokens"),
            "completion_tokens": _count(record.completion_tokens, "completion_tokens"),
            "ttft_ms": _millis(record.ttft_ms, "ttft_ms", True),
            "latency_ms": _millis(record.latency_ms, "latency_ms", False),
            "redactions_in": _redactions(record.redactions_in, "redactions_in"),
            "redactions_out": _redactions(record.redactions_out, "redactions_out"),
            "outcome": _word(record.outcome, "outcome"),
            "target_hash": None,
            **_knowledge(record),
        }
    if isinstance(record, AuthRecord):
        if record.kind not in AUTH_KINDS:
            raise ValueError("kind must be one of " + ", ".join(AUTH_KINDS))
        return {
            "kind": record.kind,
            "session_hash": _hash(record.session_hash, "session_hash", True),
            "user_hash": _hash(record.user_hash, "user_hash"),
            "role": _word(record.role, "role", True),
            "model": None, "prompt_tokens": None, "completion_tokens": None, "ttft_ms": None,
            "latency_ms": None, "redactions_in": None, "redactions_out": None,
            "outcome": _word(record.outcome, "outcome"),
            "target_hash": _hash(record.target_hash, "target_hash", True),
            "kb_passages": None, "kb_documents": None, "kb_top_score": None, "kb_latency_ms": None,
            "kb_collections": None,
        }
    raise TypeError("record must be a TurnRecord or an AuthRecord")
