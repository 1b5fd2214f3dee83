"""Contact details: e-mail addresses and IP addresses (v4 and v6)."""

from __future__ import annotations

import ipaddress

from .base import DIGITS, LETTERS, PatternDetector, lead

# Bounded to the lengths people use (40 before the @, three labels of 24 after) so the stream never
# holds back more than that. No end boundary: "abc@x.comThanks" is redacted whole rather than missed. Chinese on either side is
# fine (`邮箱abc@x.com谢谢`): the lookbehind only refuses e-mail characters.
_EMAIL = (
    r"[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-][A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{0,39}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}"
)

# Not after a letter, a digit or a dot (v1.2.3.4, 10.1.2.3.4), nor after 版本/version (a version string).
_IPV4 = (
    lead("0-9", "0-9A-Za-z.") + r"(?<!版本[0-9])(?<!版本 [0-9])(?<!ersion [0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}"
    r"(?![0-9]|\.[0-9])"
)
# A loose shape (hex, colons, dots for an embedded v4; two colons early on), checked by the ipaddress
# module. Ends on a hex digit so a trailing `.` or `:` is left out.
_IPV6 = (
    lead("0-9A-Fa-f:", "0-9A-Za-z:.") + r"(?=[0-9A-Fa-f]{0,3}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{0,43}[0-9A-Fa-f]"
    r"(?![0-9A-Za-z])"
)


def is_ipv4(value: str) -> bool:
    """Four octets of 0-255 without leading zeros."""
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value: str) -> bool:
    """A valid IPv6 address with at least two groups written (`::1` alone identifies no one)."""
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return sum(1 for g in value.split(":") if g) >= 2


_HEX = DIGITS + "abcdefABCDEF"

DETECTORS: list[PatternDetector] = [
    PatternDetector("EMAIL", _EMAIL, None, DIGITS + LETTERS + "._%+-@", required="@"),
    PatternDetector("IP", _IPV4, None, DIGITS + ".", validate=is_ipv4, required=".", starts=DIGITS),
    PatternDetector("IP", _IPV6, None, _HEX + ":.", validate=is_ipv6, required=":"),
]
