"""A version number is no IP address: `Firmware now 3.0.0.4`, `从3.2.1.4升级到3.2.2.0`.

The IPv4 rule (redaction.detectors.contact) already skips four numbers written right after `version`,
`版本`, `系统`, `固件`, `build` or an operating system's name; its look-behinds are of fixed width (the
stream uses the same patterns). Here, on the input side only (Redactor.fused with the recognizers), an
IP match is dropped when a word for a version comes shortly before it on its line, or on the line before
with the value early on its own (`firmware version from the status page?` / `it says 4.0.12.8`), with no
word for an address or a sign-in between (`IP`, `from`, `logged`, `地址`); when an upgrade's `to` comes
right before it (`updated to`, `升级到`); or when a word for an upgrade follows it (`3.2.1.4升级`). A number joined to one so read (`3.2.1.4 还是 3.2.1.5`)
is a version too, and so is the same number said again; a network with its prefix length (`10.0.0.0/8`) is a range of addresses, no device.
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
_BEFORE = re.compile(r"(?:" + _VERSION + r")" + _BETWEEN + r"{0,25}$")
_TO_BEFORE = re.compile(r"(?:(?i:update[ds]?|upgraded?|upgrading|downgraded?|downgrading|rolled back)[^\S\n]+to[^\S\n]*|"
                        r"(?:升级|更新|回退|回滚|降级)[到至为成][^\S\n]*)$")
# A word for an address earlier on the line (`请把路由器IP改为…`): an upgrade's `to` says nothing then.
_ADDRESS_ON_LINE = re.compile(r"(?:" + _AN_ADDRESS + r")[^\n]{0,60}$")
# A second number joined to one read as a version (`3.2.1.4 还是 3.2.1.5`, `3.0.0.4 or 3.0.0.5`) is one too.
_JOINED = re.compile(r"[^\S\n]*(?:还是|或者|或|和|到|至|(?i:or|and|to|vs\.?|then))?[^\S\n]*(?:->|→|,|，)?[^\S\n]*$")
# A network written with its prefix length (`10.0.0.0/8`, `192.168.4.0/24`: its last number 0) is a range,
# no one's device (`10.4.2.17/24` is a device with its mask).
_RANGE_AFTER = re.compile(r"/(?:[0-9]|[12][0-9]|30)(?![0-9])")  # (/31, /32: one or two hosts)
# The line before, when it asks for or names a version and not an address; the value early on its line.
_LINE_BEFORE = re.compile(r"(?:" + _VERSION + r")" + _BETWEEN_LINES + r"{0,60}\n" + _BETWEEN + r"{0,30}$")
# ... nor shortly after it on its line (`82.14.3.5 is blocked`).
_ADDRESS_AFTER = re.compile(r"[^\n]{0,20}?(?:" + _ADDRESS + r")")
# A word for an upgrade right after it: `3.2.1.4升级到`, `3.2.1.4 版本`, `7.12.0.3 update`.
_AFTER = re.compile(r"[^\S\n]*(?:升级|版本|更新|(?i:update|upgrade|release|build|version)(?![A-Za-z]))")


def _a_version(text: str, start: int, end: int, dropped: int, said: set[str]) -> bool:
    """Whether the IP match text[start:end] is a version (or a network's range): see above. `dropped` is where
    the last number read as a version ended, `said` the numbers read as versions so far."""
    if _AFTER.match(text, end) or (text.endswith(".0", start, end) and _RANGE_AFTER.match(text, end)):
        return True
    if _ADDRESS_AFTER.match(text, end):
        return False
    before = max(0, start - 60)
    return (text[start:end] in said or (0 <= start - dropped <= 8 and _JOINED.match(text, dropped, start) is not None)
            or _BEFORE.search(text, before, start) is not None
            or (_TO_BEFORE.search(text, before, start) is not None and not _ADDRESS_ON_LINE.search(text, before, start))
            or _LINE_BEFORE.search(text, max(0, start - 100), start) is not None)


def versions(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the IP matches that a word for a version or an upgrade beside them shows to be versions."""
    out = []
    dropped = -1  # where the last number read as a version ended
    said: set[str] = set()  # the numbers read as versions, said again later (`3.2.1.5, hotfix for login`)
    for m in chosen:
        if labels[m.rank] == "IP" and "." in text[m.start:m.end] and _a_version(text, m.start, m.end, dropped, said):
            dropped = m.end
            said.add(text[m.start:m.end])
            continue
        out.append(m)
    return out
