"""Password policy after NIST SP 800-63B: length, a blocklist and context, no composition rules.

`check_password` returns the NFKC-normalised password, which is the form to hash and to
verify against, or raises a `PasswordRejected` whose message is fixed and never holds the
password. Nothing here logs. The rules, in the order they are checked:

1. Length, in Unicode code points after NFKC: at least `min_length` (default 12; callers may
   choose 8 to 64, so 64 characters are always accepted) and at most `MAX_LENGTH` (1024).
   Any characters are allowed, spaces and emoji included; no "must have a digit" rules.
2. Repetitive or sequential (compared case-insensitively):
   - fewer than three distinct characters ("aaaaaaaaaaaa", "111111111112");
   - a unit shorter than `min_length` repeated at least twice, a trailing partial copy
     allowed ("abcabcabcabc", "monkeymonkey"): the repeat adds length but no strength;
   - one run covering the whole password, each character one step up or one step down from
     the previous one in the digits 0-9, the alphabet a-z or the keyboard walk
     qwertyuiopasdfghjklzxcvbnm (each wrapping round: "123456789012", "qwertyuiopas"), or in
     Unicode code points ("abcdefghijkl" in any script).
3. Context: contains the user name (case-insensitive, only for names of three or more
   characters after NFKC) or the product name "hushdesk".
4. Common: the casefolded password is in the bundled list (services/auth/data/common-passwords
   .txt.gz, from Django, BSD licence), or the password is shorter than 16 characters and what
   is left after stripping trailing digits, punctuation, symbols and spaces is a non-empty
   listed entry ("password2024!" -> "password"). From 16 characters on, a listed word plus a
   suffix is left alone: the length itself then carries the strength.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..errors import HushdeskError

__all__ = [
    "MAX_LENGTH",
    "DEFAULT_MIN_LENGTH",
    "PRODUCT_NAME",
    "PasswordRejected",
    "PasswordTooShort",
    "PasswordTooLong",
    "PasswordCommon",
    "PasswordContextual",
    "PasswordRepetitive",
    "normalise",
    "check_password",
    "common_passwords",
]

MAX_LENGTH = 1024
DEFAULT_MIN_LENGTH = 12
PRODUCT_NAME = "hushdesk"
COMMON_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

_LOWEST_MIN = 8  # NIST SP 800-63B: never fewer than 8 characters
_HIGHEST_MIN = 64  # NIST SP 800-63B: at least 64 characters must be accepted
_STRIP_FROM = 16  # below this length, a listed word plus a suffix counts as common
_MIN_DISTINCT = 3
_MIN_CONTEXT = 3
_SEQUENCES = tuple(
    {c: i for i, c in enumerate(seq)}
    for seq in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
)
_RAW_LIMIT = 8 * MAX_LENGTH  # NFKC never shrinks text eightfold: longer input is too long


class PasswordRejected(HushdeskError):
    """A new password breaks the policy; the message is fixed and never holds the password."""

    outcome = "weak_password"
    default_message = "That password is not allowed; choose a longer passphrase."
    notice = "weak"  # every subclass: the pages' notice code


class PasswordTooShort(PasswordRejected):
    """Fewer code points than the minimum; the message states the minimum (also in Chinese)."""

    default_message = f"The password must be at least {DEFAULT_MIN_LENGTH} characters long."

    def __init__(self, min_length: int = DEFAULT_MIN_LENGTH) -> None:
        super().__init__(f"The password must be at least {int(min_length)} characters long.")
        self.translations = {"zh-CN": f"密码至少需要 {int(min_length)} 个字符。"}


class PasswordTooLong(PasswordRejected):
    """More than MAX_LENGTH code points."""

    default_message = f"The password must be at most {MAX_LENGTH} characters long."


class PasswordCommon(PasswordRejected):
    """The password, or its base word before a short suffix, is on the common list."""

    default_message = "That password is too common or easy to guess; choose a longer passphrase."


class PasswordContextual(PasswordRejected):
    """The password contains the user name or the product name."""

    default_message = "The password must not contain the user name or the product name."


class PasswordRepetitive(PasswordRejected):
    """The password is a repeated or sequential pattern."""

    default_message = "The password must not be a repeated or sequential pattern such as aaaa or 1234."


def normalise(password: str) -> str:
    """The NFKC form of `password`: the form to check, hash and verify."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled common-password list, casefolded, read once on first use."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as f:
        return frozenset(e for e in (line.strip().casefold() for line in f) if e)


def _is_periodic(folded: str, below: int) -> bool:
    """Whether `folded` is a unit shorter than `below` repeated at least twice."""
    n = len(folded)
    return any(folded == (folded[:p] * (n // p + 1))[:n] for p in range(1, min(below, n // 2 + 1)))


def _steps(folded: str, pos: dict[str, int], step: int) -> bool:
    """Whether each character is `step` places after the previous one in a cyclic sequence."""
    return all(
        a in pos and b in pos and (pos[a] + step) % len(pos) == pos[b]
        for a, b in zip(folded, folded[1:])
    )


def _is_sequential(folded: str) -> bool:
    """Whether one run of ±1 steps (a listed sequence or code points) covers `folded`."""
    for step in (1, -1):
        if all(ord(b) - ord(a) == step for a, b in zip(folded, folded[1:])):
            return True
        if any(_steps(folded, seq, step) for seq in _SEQUENCES):
            return True
    return False


def _is_repetitive(folded: str, min_length: int) -> bool:
    """Whether `folded` is too few distinct characters, a repeated unit or one sequence."""
    return (
        len(set(folded)) < _MIN_DISTINCT
        or _is_periodic(folded, min_length)
        or _is_sequential(folded)
    )


def _is_contextual(folded: str, user_name: str | None) -> bool:
    """Whether `folded` contains the product name or a user name of three or more characters."""
    if PRODUCT_NAME in folded:
        return True
    if isinstance(user_name, str):
        name = normalise(user_name).casefold()
        return len(name) >= _MIN_CONTEXT and name in folded
    return False


def _base(folded: str) -> str:
    """`folded` without trailing digits, punctuation, symbols and spaces."""
    end = len(folded)
    while end and (folded[end - 1].isspace() or unicodedata.category(folded[end - 1])[0] in "NPS"):
        end -= 1
    return folded[:end]


def _is_common(folded: str) -> bool:
    """Whether `folded`, or below 16 characters its base before a suffix, is on the list."""
    listed = common_passwords()
    if folded in listed:
        return True
    if len(folded) < _STRIP_FROM:
        base = _base(folded)
        return bool(base) and base in listed
    return False


def check_password(
    password: str, *, min_length: int = DEFAULT_MIN_LENGTH, user_name: str | None = None
) -> str:
    """The NFKC-normalised `password` if the policy accepts it; else a `PasswordRejected`."""
    if isinstance(min_length, bool) or not isinstance(min_length, int) or not (
        _LOWEST_MIN <= min_length <= _HIGHEST_MIN
    ):
        raise ValueError(f"min_length must be an integer from {_LOWEST_MIN} to {_HIGHEST_MIN}")
    if not isinstance(password, str):
        raise PasswordRejected()
    if len(password) > _RAW_LIMIT:
        raise PasswordTooLong()
    normal = normalise(password)
    if len(normal) > MAX_LENGTH:
        raise PasswordTooLong()
    if len(normal) < min_length:
        raise PasswordTooShort(min_length)
    folded = normal.casefold()
    if _is_repetitive(folded, min_length):
        raise PasswordRepetitive()
    if _is_contextual(folded, user_name):
        raise PasswordContextual()
    if _is_common(folded):
        raise PasswordCommon()
    return normal
