"""Declarative PII detectors: one bounded regex per label plus an optional validator.

Adding a label is one entry in DEFAULT_DETECTORS (a label written in several forms may have several).
Every pattern is compiled with re.ASCII (so `[0-9]`, `\\d` never match other scripts' digits, and case
folding cannot turn the Kelvin sign into a `k`).
Python's `\\b` never fires between a Chinese character and a digit (both are word characters), so
boundaries are explicit lookarounds; never use `\\b` here.

Contract the streaming redactor relies on (tests check it):
- `max_len` bounds how many characters a match attempt can consume from its start;
- `alphabet` holds every character a match can consume;
- lookaheads inspect at most the one character after the match (or two, if the first is in `alphabet`);
- lookbehinds inspect at most 8 characters before the match (the stream keeps that much context).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Callable, Iterable

_DIGITS = string.digits
_LETTERS = string.ascii_letters

# Numbers: a digit on either side means a longer number (an 18-digit ID holds no phone). A Latin letter
# does not stop a match: `tel13812345678` or `card4111111111111111` still leak the number if left alone.
_NUM_START = r"(?<![0-9])"
_NUM_END = r"(?![0-9])"
# Words (order ids): a letter or digit on either side means a longer token.
_START = r"(?<![0-9A-Za-z])"
_END = r"(?![0-9A-Za-z])"


@dataclass(frozen=True, slots=True)
class PatternDetector:
    """Finds `label` wherever `pattern` matches and `validate(matched)` (if given) is true."""

    label: str
    pattern: str
    max_len: int
    alphabet: Iterable[str]
    validate: Callable[[str], bool] | None = None
    # Characters every match holds at least one of (empty: no such promise). A text holding none of
    # them is not scanned at all, which keeps the per-token cost of prose near zero.
    required: Iterable[str] = ()
    # Characters a match can begin with (empty: any of `alphabet`). The stream holds back a trailing
    # run only from its first such character: a trailing space never starts a phone number.
    starts: Iterable[str] = ()
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alphabet", frozenset(self.alphabet))
        object.__setattr__(self, "required", frozenset(self.required))
        object.__setattr__(self, "starts", frozenset(self.starts) or self.alphabet)
        object.__setattr__(self, "regex", re.compile(self.pattern, re.ASCII))


def luhn_ok(digits: str) -> bool:
    """True when an all-digit string passes the Luhn checksum."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_digits(text: str) -> str:
    """The digits of a card number; the patterns already fixed how it may be grouped."""
    return text.replace(" ", "").replace("-", "")


_CREDIT_PREFIX = re.compile(r"3[47]|4|5[1-5]|2[2-7]")


def is_credit_card(text: str) -> bool:
    """Amex/Visa/Mastercard prefix, 13-19 digits, Luhn-valid."""
    digits = _card_digits(text)
    return 13 <= len(digits) <= 19 and bool(_CREDIT_PREFIX.match(digits)) and luhn_ok(digits)


def is_bank_card(text: str) -> bool:
    """16-19 digits, not a credit-card prefix; UnionPay (62...) even without Luhn, others Luhn-valid."""
    digits = _card_digits(text)
    if not 16 <= len(digits) <= 19 or _CREDIT_PREFIX.match(digits):
        return False
    # UnionPay debit numbers do not all carry a Luhn check digit.
    return digits.startswith("62") or luhn_ok(digits)


# Card numbers as people write them: plain 13-19 digits, 4-4-4-(1..4) or Amex 4-6-5 with one kind of
# separator. The 19-digit 4-4-4-4-3 form is a separate pattern so that "4111 1111 1111 1111 123"
# (card + CVV) still yields the valid 16-digit card when the 19-digit reading fails Luhn: a regex
# returns one match per start, but every detector's match at a start is a candidate.
_CARD = (
    _NUM_START
    + r"(?:[0-9]{13,19}|[0-9]{4}([ -])(?:[0-9]{4}\1[0-9]{4}\1[0-9]{1,4}|[0-9]{6}\1[0-9]{5}))"
    + _NUM_END
)
_CARD_19 = _NUM_START + r"[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}\1[0-9]{3}" + _NUM_END

DEFAULT_DETECTORS: list[PatternDetector] = [
    # No end boundary: "abc@x.comThanks" is redacted whole rather than missed.
    PatternDetector(
        "EMAIL",
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,6}[A-Za-z]{2,24}",
        max_len=64 + 1 + 6 * 64 + 24,
        alphabet=_DIGITS + _LETTERS + "._%+-@",
        required="@",
    ),
    # Listed before the cards: an 18-digit number with a plausible birth date is an ID first.
    PatternDetector(
        "CN_ID",
        _NUM_START + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
        r"[0-9]{3}[0-9Xx]" + _NUM_END,
        max_len=18,
        alphabet=_DIGITS + "Xx",
        required=_DIGITS,
    ),
    PatternDetector(
        "PHONE",
        _NUM_START + r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}" + _NUM_END,
        max_len=5 + 3 + 2 * 5,
        alphabet=_DIGITS + " -+",
        required=_DIGITS,
        starts="+018",
    ),
    PatternDetector("CREDIT_CARD", _CARD, max_len=19, alphabet=_DIGITS + " -", validate=is_credit_card,
                    required=_DIGITS, starts=_DIGITS),
    PatternDetector("CREDIT_CARD", _CARD_19, max_len=23, alphabet=_DIGITS + " -", validate=is_credit_card,
                    required=_DIGITS, starts=_DIGITS),
    PatternDetector("BANK_CARD", _CARD, max_len=19, alphabet=_DIGITS + " -", validate=is_bank_card,
                    required=_DIGITS, starts=_DIGITS),
    PatternDetector("BANK_CARD", _CARD_19, max_len=23, alphabet=_DIGITS + " -", validate=is_bank_card,
                    required=_DIGITS, starts=_DIGITS),
    PatternDetector(
        "ORDER_ID",
        _START + r"[Oo][Rr][Dd]-[0-9]{8}" + _END,
        max_len=12,
        alphabet=_DIGITS + "ORDord-",
        required=_DIGITS,
    ),
]
