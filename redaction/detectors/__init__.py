"""PII detectors, one module per family; DEFAULT_DETECTORS is a plain list (order = priority on ties).

Adding a label is one PatternDetector in a family's DETECTORS (a label written in several forms may have
several). `build_detectors()` returns a fresh list with configured order-number patterns.
"""

from __future__ import annotations

from typing import Sequence

from . import codes, contact, names, numbers, phones, places
from .base import PatternDetector, luhn_ok, max_width
from .codes import DEFAULT_ORDER_ID_PATTERNS, PatternError, order_id_detector

LABELS = (
    "PHONE", "CN_ID", "BANK_CARD", "CREDIT_CARD", "EMAIL", "IP", "ORDER_ID", "PASSPORT", "LICENSE_PLATE",
    "ADDRESS", "PERSON", "US_SSN", "UK_NINO", "UK_NHS",
)


def build_detectors(order_id_patterns: Sequence[str] = DEFAULT_ORDER_ID_PATTERNS) -> list[PatternDetector]:
    """Every built-in detector, with ORDER_ID made from `order_id_patterns` (PatternError if one is bad)."""
    return (
        codes.CUED_ORDER_DETECTORS  # first: a value in an order-number field is an order number
        + codes.SPOKEN_ORDER_DETECTORS  # input only (see redaction.redactor.INPUT_ONLY_PATTERNS)
        + contact.DETECTORS
        + [contact.SPELLED_EMAIL]  # input only (see redaction.redactor.INPUT_ONLY_PATTERNS)
        + numbers.CUED_INPUT_ONLY  # input only; before the phones, whose shape an NHS number may have
        + numbers.DETECTORS
        + phones.DETECTORS
        + phones.INPUT_ONLY  # input only (see redaction.redactor.INPUT_ONLY_PATTERNS)
        + numbers.INPUT_ONLY  # input only
        + [order_id_detector(p) for p in order_id_patterns]
        + codes.DETECTORS
        + places.DETECTORS
        + names.DETECTORS
        + names.EXTRA  # input only
    )


DEFAULT_DETECTORS: list[PatternDetector] = build_detectors()

__all__ = [
    "DEFAULT_DETECTORS", "DEFAULT_ORDER_ID_PATTERNS", "LABELS", "PatternDetector", "PatternError",
    "build_detectors", "luhn_ok", "max_width", "order_id_detector",
]
