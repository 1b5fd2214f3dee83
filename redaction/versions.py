"""A version number is no IP address: `Firmware now 3.0.0.4`, `从3.2.1.4升级到3.2.2.0`.

The IPv4 rule (redaction.detectors.contact) already skips four numbers written right after `version`,
`版本`, `系统`, `固件`, `build` or an operating system's name; its look-behinds are of fixed width (the
stream uses the same patterns). Here, on the input side only (Redactor.fused with the recognizers), an
IP match is dropped when a word for a version comes shortly before it on its line, or on the line before
with the value early on its own (`firmware version from the status page?` / `it says 4.0.12.8`), with no
word for an address or a sign-in between (`IP`, `from`, `logged`, `地址`); when an upgrade's `to` comes
right before it (`updated to`, `升级到`); or when a word for an upgrade follows it (`3.2.1.4升级`).
"""

from __future__ import annotations

import re
from typing import Sequence

_VERSION = (r"(?i:(?<![A-Za-z])(?:version|ver\.|firmware|build|release|software|patch)(?![A-Za-z]))|版本|固件|系统")
# Words that make the number someone's address after all: nothing of these may stand between.
# The word for an address itself, the one such word the line before may not hold either.
_AN_ADDRESS = r"(?i:(?<![A-Za-z])(?:IP|address|addr)(?![A-Za-z]))|地址"
_ADDRESS = (_AN_ADDRESS + r"|(?i:(?<![A-Za-z])(?:from|log\w*|connect\w*|device|router|block\w*|ban\w*|"
            r"\w*list\w*)(?![A-Za-z]))|登录|登陆|连接|封")
_BETWEEN = r"(?:(?!" + _ADDRESS + r")[^\n])"
_BETWEEN_LINES = r"(?:(?!" + _AN_ADDRESS + r")[^\n])"
# A word for a version at most 25 characters before the value on its line (`version on my phone says `);
# or an upgrade's `to` right before it (`updated to`, `升级到`).
_BEFORE = re.compile(r"(?:(?:" + _VERSION + r")" + _BETWEEN + r"{0,25}|(?i:update[ds]?|upgraded?|upgrading)"
                     r"[^\S\n]+to[^\S\n]*|(?:升级|更新)[到至为成][^\S\n]*)$")
# The line before, when it asks for or names a version and not an address; the value early on its line.
_LINE_BEFORE = re.compile(r"(?:" + _VERSION + r")" + _BETWEEN_LINES + r"{0,60}\n" + _BETWEEN + r"{0,30}$")
# ... nor shortly after it on its line (`82.14.3.5 is blocked`).
_ADDRESS_AFTER = re.compile(r"[^\n]{0,20}?(?:" + _ADDRESS + r")")
# A word for an upgrade right after it: `3.2.1.4升级到`, `3.2.1.4 版本`, `7.12.0.3 update`.
_AFTER = re.compile(r"[^\S\n]*(?:升级|版本|更新|(?i:update|upgrade|release|build|version)(?![A-Za-z]))")


def versions(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the IP matches that a word for a version or an upgrade beside them shows to be versions."""
    out = []
    for m in chosen:
        if labels[m.rank] == "IP" and "." in text[m.start:m.end] and (_AFTER.match(text, m.end) or (
                (_BEFORE.search(text, max(0, m.start - 60), m.start)
                 or _LINE_BEFORE.search(text, max(0, m.start - 100), m.start))
                and not _ADDRESS_AFTER.match(text, m.end))):
            continue
        out.append(m)
    return out
