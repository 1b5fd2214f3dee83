"""Contact details: e-mail addresses and IP addresses (v4 and v6)."""

from __future__ import annotations

import ipaddress
import re

from .base import DIGITS, LETTERS, PatternDetector, lead

# Bounded to the lengths people use (40 before the @, three labels of 24 after) so the stream never
# holds back more than that. No end boundary: "abc@x.comThanks" is redacted whole rather than missed. Chinese on either side is
# fine (`邮箱abc@x.com谢谢`): the lookbehind only refuses e-mail characters.
_EMAIL = (
    r"[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-][A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{0,39}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}"
)

# Written to dodge filters: `john[at]gmail.com`, `john(at)gmail(dot)com` (no spaces: the stream then holds
# only an unbroken run, as for EMAIL). The spaced form (`john at gmail dot com`) is SPELLED_EMAIL, kept off
# the default list: its alphabet holds the space, so the stream would hold the last ~50 characters of
# every English reply.
_AT = r"(?:\[at\]|\(at\)|\{at\}|<at>)"
_DOT = r"(?:\.|\[dot\]|\(dot\)|\{dot\})"
_TLDS = "com|net|org|edu|gov|cn|io|co|uk|us|de|fr|jp|hk|tw|info|biz|me|cc|ai"
_EMAIL_BRACKETED = (
    r"[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-][A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{0,39}" + _AT
    + r"[A-Za-z0-9-]{1,20}(?:" + _DOT + r"[A-Za-z0-9-]{1,20}){0,1}" + _DOT + r"(?i:" + _TLDS + r")(?![A-Za-z0-9])"
)
# Read out (speech-to-text): ` @ `, ` . `, and in Chinese 艾特 (at) and 点 (dot): `zhangwei艾特163点com`.
_S_AT = r"(?: ?\[at\] ?| ?\(at\) ?| at | AT | @ | ?艾特 ?)"
_S_DOT = r"(?:\.| ?\[dot\] ?| ?\(dot\) ?| dot | DOT | \. | ?点 ?)"
# Mail providers people name without their domain (`dana.whitfield at gmail`): taken only when the name
# before `at` holds a dot, an underscore or a digit (`works at yahoo` is no address).
_PROVIDERS = ("gmail", "googlemail", "hotmail", "outlook", "icloud", "yahoo", "aol", "protonmail", "qq", "163", "126",
              "foxmail", "sina")
_EMAIL_SPELLED = (
    r"[A-Za-z0-9._%+-](?<![A-Za-z0-9._%+-][A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{0,15}"
    r"(?:(?: dot | DOT | underscore | dash | hyphen )[A-Za-z0-9_%+-]{1,15}){0,2}" + _S_AT
    + r"(?:[A-Za-z0-9-]{1,12}" + _S_DOT + r"(?i:" + _TLDS + r")(?:" + _S_DOT + r"(?i:cn|uk|hk|tw|jp|au))?"
    + r"|(?i:" + "|".join(_PROVIDERS) + r"))(?![A-Za-z0-9])"
)
_NOT_LOCAL = frozenset("am is are was were be me us him her them you it we they here there look meet stay arrive "
                       "home work".split())


_SPLIT_AT = re.compile(r" ?\[at\] ?| ?\(at\) ?| at | AT | @ | ?艾特 ?")


def spelled_email(value: str) -> bool:
    """An address with `at` (and maybe `dot`) written out; a real `@` is EMAIL's."""
    if "@" in value.replace(" @ ", ""):
        return False
    local = _SPLIT_AT.split(value, 1)[0].strip(" [(<{").lower()
    if len(local) < 2:
        return False  # one letter alone (`a at …`); one before ` dot ` is an initial (`j dot smith at …`)
    if local.split(" dot ")[0] in _NOT_LOCAL:
        return False  # its first word: `you dot com` is no address
    domain = _SPLIT_AT.split(value, 1)[1].lower()
    if domain in _PROVIDERS:  # no `dot com`: the name must look like a mailbox
        return (any(c in local for c in "._") or any(c.isdigit() for c in local)
                or any(f" {w} " in local for w in ("dot", "underscore", "dash", "hyphen")))
    return True


SPELLED_EMAIL = PatternDetector("EMAIL", _EMAIL_SPELLED, None, DIGITS + LETTERS + "._%+- []()@艾特点",
                                validate=spelled_email, required=("at]", "at)", " at ", " AT ", " @ ", "艾特"))


# Not after a letter, a digit or a dot (v1.2.3.4, 10.1.2.3.4), nor after 版本/version/系统 or an operating
# system's name (HyperOS 1.0.36.0): a version string.
_IPV4 = (
    lead("0-9", "0-9A-Za-z.") + r"(?<!版本[0-9])(?<!版本 [0-9])(?<!ersion [0-9])(?<!系统[0-9])(?<!系统 [0-9])"
    r"(?<!OS [0-9])(?<!os [0-9])(?<!固件[0-9])(?<!固件 [0-9])(?<!uild [0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}"
    r"(?![0-9]|\.[0-9])"
)
# A loose shape (hex, colons, dots for an embedded v4; two colons early on), checked by the ipaddress
# module. Ends on a hex digit so a trailing `.` or `:` is left out.
_IPV6 = (
    lead("0-9A-Fa-f:", "0-9A-Za-z:.") + r"(?=[0-9A-Fa-f]{0,3}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{0,43}[0-9A-Fa-f]"
    r"(?![0-9A-Za-z])"
)


# Netmasks (255.255.255.0, 255.255.0.0…) and 0.0.0.0 point at no one.
_MASKS = frozenset(str(ipaddress.IPv4Network(f"0.0.0.0/{n}").netmask) for n in range(0, 33))


# Public DNS resolvers, set by hand in every router FAQ: a service's address, no one's device.
_PUBLIC_DNS = frozenset(("1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112", "208.67.222.222",
                         "208.67.220.220", "114.114.114.114", "114.114.115.115", "223.5.5.5", "223.6.6.6",
                         "119.29.29.29", "180.76.76.76"))
# The networks home routers ship with (their gateway ends .1 or .254).
_HOME_NETS = ("192.168.", "10.0.0.", "10.0.1.", "10.1.1.")


def is_ipv4(value: str) -> bool:
    """Four octets of 0-255 without leading zeros; not a netmask or all zeros, not the loopback, and not a
    private network's gateway (192.168.1.1, 10.0.0.254: the router a manual or an FAQ names, the same in
    every home)."""
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    if address.is_loopback or (value.startswith(_HOME_NETS) and value.rsplit(".", 1)[1] in ("1", "254")) \
            or value in _PUBLIC_DNS:
        return False
    return value not in _MASKS


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
    PatternDetector("EMAIL", _EMAIL_BRACKETED, None, DIGITS + LETTERS + "._%+-[]()<>{}",
                    validate=spelled_email, required=("[at]", "(at)", "{at}", "<at>")),
    PatternDetector("IP", _IPV4, None, DIGITS + ".", validate=is_ipv4, required=".", starts=DIGITS),
    PatternDetector("IP", _IPV6, None, _HEX + ":.", validate=is_ipv6, required=":"),
]
