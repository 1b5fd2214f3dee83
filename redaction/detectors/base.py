"""The declarative detector: one bounded regex per form, an optional validator, and the stream contract.

Patterns run on normalised text (see redaction.normalise): full-width forms are already ASCII, so a
pattern writes `:` for both `:` and `：`. Every pattern is compiled with re.ASCII (so `[0-9]`, `\\d` never
match other scripts' digits). Python's `\\b` never fires between a Chinese character and a digit (both
are word characters), so boundaries are explicit lookarounds; never use `\\b` here.

The match is the span: a cue word (客户, `SSN:`, `my name is`) goes in a lookbehind, so it is checked
but never redacted. `validate(value)` returns a score in (0, 1], or 0/False to reject.

Contract the streaming redactor relies on (tests check it):
- `max_len` bounds how many characters a match attempt can consume from its start (computed from the
  pattern; a pattern without a bound is refused);
- `alphabet` holds every character a match can consume;
- lookaheads inspect at most the one character after the match (or two, if the first is in `alphabet`);
- lookbehinds inspect at most LOOKBEHIND (20) characters before the match (the stream keeps that much
  context), which is how cue words (客户, `my name is`) stay out of the match and the hold stays short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

try:  # Python 3.11+
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

LOOKBEHIND = 20

# Numbers: a digit on either side means a longer number (an 18-digit ID holds no phone); patterns
# start with lead(..., "0-9") and end with NUM_END. A Latin letter does not stop a match:
# `tel13812345678` or `card4111111111111111` still leak the number if left alone.
NUM_END = r"(?![0-9])"
# Firms' lines, never a person's: China's 400/800 hotlines and the US toll-free area codes (first three of
# ten digits).
CN_HOTLINES = ("400", "800")
US_TOLL_FREE = ("800", "888", "877", "866", "855", "844", "833")


def is_hotline(digits: str) -> bool:
    """A CN 400/800 hotline (ten digits) or a US toll-free number (ten, or eleven with the 1)."""
    return (len(digits) == 10 and digits[:3] in CN_HOTLINES) or (len(digits) in (10, 11)
                                                                  and digits[-10:-7] in US_TOLL_FREE)


# China Mobile's SMS centres (+86 138 00 <area> 500, set by hand after a phone is reset) and the mobile
# number every form and manual uses as its placeholder: service numbers, no one's line.
_CN_SERVICE_MOBILE = re.compile(r"13800[0-9]{3}500|13800138000")


def cn_service_mobile(digits: str) -> bool:
    """Whether the last eleven of `digits` are a CN mobile that is a service's (an SMS centre) or a placeholder."""
    return _CN_SERVICE_MOBILE.fullmatch(digits[-11:]) is not None


def cn_mobile(value: str) -> bool:
    """A CN mobile as written, not a service's (cn_service_mobile)."""
    return not cn_service_mobile(digits_of(value))


# Words (codes): a letter or digit on either side means a longer token.
START = r"(?<![0-9A-Za-z])"
END = r"(?![0-9A-Za-z])"
DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTERS = UPPER + UPPER.lower()
# The CJK Unified Ideographs block (with extension A): what Chinese names and addresses are made of.
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_CHARS = frozenset(chr(c) for c in list(range(0x3400, 0x4DC0)) + list(range(0x4E00, 0xA000)))

Validator = Callable[[str], "bool | float"]


def widths(pattern: str, flags: int = 0) -> tuple[int, int]:
    """The fewest and most characters a match of `pattern` consumes (re.error if it is invalid)."""
    return _sre_parse.parse(pattern, flags).getwidth()


def max_width(pattern: str, flags: int = 0) -> int:
    """The most characters a match of `pattern` can consume; ValueError if unbounded."""
    width = widths(pattern, flags)[1]
    if width >= _sre_parse.MAXREPEAT or width >= 10_000:
        raise ValueError("pattern has no length bound")
    return width


@dataclass(frozen=True, slots=True)
class PatternDetector:
    """Finds `label` wherever `pattern` matches and `validate(value)` (if given) is truthy."""

    label: str
    pattern: str
    # Declared bound on a match's length; None computes it from the pattern. A declared bound smaller
    # than the pattern's is refused.
    max_len: int | None
    alphabet: Iterable[str]
    validate: Validator | None = None
    # Strings (usually single characters) of which every match, with its lookbehind context, holds at
    # least one (empty: no such promise). A text holding none of them is not scanned at all, which keeps
    # the per-token cost of prose near zero.
    required: Iterable[str] = ()
    # Characters a match can begin with (empty: any of `alphabet`). The stream holds back a trailing
    # run only from its first such character: a trailing space never starts a phone number.
    starts: Iterable[str] = ()
    flags: int = 0
    score: float = 1.0
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        flags = self.flags | re.ASCII
        width = max_width(self.pattern, flags)
        if self.max_len is None:
            object.__setattr__(self, "max_len", width)
        elif self.max_len < width:
            raise ValueError(f"{self.label}: max_len {self.max_len} < pattern bound {width}")
        object.__setattr__(self, "alphabet", frozenset(self.alphabet))
        object.__setattr__(self, "required", frozenset(self.required))
        object.__setattr__(self, "starts", frozenset(self.starts) or self.alphabet)
        object.__setattr__(self, "regex", re.compile(self.pattern, flags))


def after_cue(cues: list[str], first: str, ignore_case: bool = False) -> str:
    """Lookbehinds true when the character just consumed (one of class `first`) follows one of `cues`.

    English cues must start a word (`Ms` but not the end of `Williams`).
    """
    by_len: dict[int, list[str]] = {}
    for cue in dict.fromkeys(cues):
        by_len.setdefault(len(cue), []).append(re.escape(cue))
    flag = "(?<![A-Za-z])(?i:" if ignore_case else "(?:"
    # First a one-character check (the cue's last character), which most positions fail at once.
    last = {c[-1] for c in cues}
    if ignore_case:
        last |= {c.swapcase() for c in last}
    quick = "(?<=[" + re.escape("".join(sorted(last))) + "][" + first + "])"
    return quick + "(?:" + "|".join(f"(?<={flag}{'|'.join(v)})[{first}])" for _, v in sorted(by_len.items())) + ")"


def lead(first: str, not_before: str) -> str:
    """Consume one character of class `first`, refusing it after a character of class `not_before`.

    Starting with a consumed class (not a lookbehind) lets the regex engine skip to candidates in C:
    `[1-9](?<![0-9][1-9])` finds what `(?<![0-9])[1-9]` finds, five times faster.
    """
    return f"[{first}](?<![{not_before}][{first}])"


# Each digit's Luhn double (2d, less 9 past 9) as a digit: 5 -> 1, 9 -> 9.
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    """True when an all-digit string passes the Luhn checksum."""
    rev = digits[::-1]
    both = (rev[0::2] + rev[1::2].translate(_LUHN_DOUBLE)).encode("ascii")
    return (sum(both) - 48 * len(both)) % 10 == 0  # each byte is 48 + its digit


def digits_of(text: str) -> str:
    """Only the ASCII digits of text."""
    return "".join(ch for ch in text if "0" <= ch <= "9")
