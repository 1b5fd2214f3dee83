"""The per-conversation vault: the same value always becomes the same `[LABEL_n]`, and back for staff.

In memory only: a vault is never persisted, logged or sent to the model, and `clear()` empties it when a
conversation ends. Values issued from the staff member's own input may be revealed back to that staff
member (`reveal`) where the model's reply uses their placeholder; values first seen in a model reply are
never revealed (their masking is the point).

A placeholder is never revealed where the value could leave the browser: inside a link destination
(`[text](…`), an autolink or tag (`<…`), a URL or e-mail run (after `scheme://`, `www.` or `@`, up to the
next ASCII space), a reference definition (`[ref]: …`), or just before `@` (the local part of an
address). There it stays a placeholder, whatever the host: one click must never send a value anywhere.
"""

from __future__ import annotations

import re

# A placeholder as issued: `[` LABEL `_` n `]`. Matching is exact (an issued key is looked up in a dict),
# so a value is never treated as a pattern, and text that merely looks like a placeholder is left alone.
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]{0,30}_[0-9]{1,6}\]")
# The tail of a streamed text that may still become a placeholder: `[`, `[PHO`, `[PHONE_1`.
_PARTIAL = re.compile(r"\[[A-Z0-9_]{0,38}")
_SEPARATORS = str.maketrans("", "", " -.()·\u00a0")
# Where a value, revealed, would sit inside a URL, a link target, an image source or an HTML attribute.
# "Space" is ASCII white space only: a URL run carries on across other spaces in some renderers.
_IN_URL = re.compile(
    r"(?:\]\([^)\n]*"                         # a Markdown link or image destination: `](…`
    r"|<[^>\n]*"                                # an autolink `<http://…` or an HTML tag `<img src=…`
    r"|(?://|www\.|@)[^ \t\n\r\f\v]*"          # a bare URL, `www.` link or e-mail address run
    r"|^[ ]{0,3}\[[^\]\n]+\]:[^\n]*"             # a reference definition `[ref]: URL`
    r")\Z")
# A placeholder followed by the rest of an e-mail local part and `@`: `[PHONE_1]@host` is a mailto link.
_LOCAL_PART = "A-Za-z0-9._%+-"
_BEFORE_AT = re.compile(f"[{_LOCAL_PART}]{{0,64}}@")
_CONTEXT = 2048  # characters of the line before a placeholder that are looked at
# The tail of a streamed text that must wait for the next piece: a placeholder and what may still turn
# out to be a local part before `@`.
_HELD = re.compile(r"\[[A-Z][A-Z0-9_]{0,30}_[0-9]{1,6}\]" f"[{_LOCAL_PART}]{{0,64}}")
# Placeholder shapes typed by staff become full-width brackets: they can never alias an issued one.
_TYPED = str.maketrans({"[": "\uff3b", "]": "\uff3d"})


def escape_placeholders(text: str) -> str:
    """`text` with every placeholder-shaped `[LABEL_n]` written `［LABEL_n］` (never an issued placeholder)."""
    if "[" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: m.group().translate(_TYPED), text)


def _line_tail(text: str) -> str:
    """The end of `text`'s last line, at most `_CONTEXT` characters: the context a placeholder is judged in."""
    return text[text.rfind("\n") + 1:][-_CONTEXT:]


def in_url(before: str, after: str) -> bool:
    """Whether a placeholder between `before` and `after` would sit in a URL, link target or attribute."""
    return _IN_URL.search(_line_tail(before)) is not None or _BEFORE_AT.match(after) is not None


def _key(label: str, value: str) -> tuple[str, str]:
    # `138 1234 5678` and `13812345678`, `A@x.com` and `a@x.com` are the same value.
    return label, value.translate(_SEPARATORS).casefold()


class Placeholders:
    """Maps (label, value) to `[LABEL_n]`, n counting per label from 1 in order of first appearance.

    In memory only (see the module docstring); its repr never shows a value.
    """

    __slots__ = ("_issued", "_values", "_next")

    def __init__(self) -> None:
        self._issued: dict[tuple[str, str], str] = {}
        self._values: dict[str, str] = {}  # placeholder -> original text, only where revealable
        self._next: dict[str, int] = {}

    def placeholder(self, label: str, value: str, *, revealable: bool = False, shown: str | None = None
                    ) -> str:
        """The placeholder for this value, issuing the next `[LABEL_n]` on first sight.

        `revealable` marks a value the staff member typed: `reveal` may show it back to them, as `shown`
        (the text as typed, before normalisation; `value` if None).
        """
        key = _key(label, value)
        issued = self._issued.get(key)
        if issued is None:
            n = self._next.get(label, 0) + 1
            self._next[label] = n
            issued = self._issued[key] = f"[{label}_{n}]"
        if revealable and issued not in self._values:
            self._values[issued] = value if shown is None else shown
        return issued

    def reveal(self, text: str, skip: frozenset[str] = frozenset(), before: str = "") -> str:
        """`text` with each revealable placeholder replaced by its value; all else unchanged.

        Placeholders of a label in `skip` stay as they are (labels the output policy blocks), and so do
        those inside a URL, link target or attribute (see the module docstring); `before` is the text
        that came before `text` (a stream's earlier pieces), judged as context.
        """
        if "[" not in text or not self._values:
            return text
        values = self._values

        def one(m: re.Match[str]) -> str:
            tag = m.group()
            if skip and tag[1:tag.rindex("_")] in skip:
                return tag
            value = values.get(tag)
            if value is None or in_url(before + text[:m.start()], text[m.end():m.end() + 66]):
                return tag
            return value

        return _PLACEHOLDER.sub(one, text)

    def value_of(self, placeholder: str) -> str | None:
        """The value a revealable placeholder stands for (as the staff member typed it), else None."""
        return self._values.get(placeholder)

    def issued_in(self, text: str) -> list[str]:
        """The placeholders of `text` this vault issued, in order (a typed shape is never one: see
        escape_placeholders)."""
        if "[" not in text:
            return []
        issued = set(self._issued.values())
        return [m.group() for m in _PLACEHOLDER.finditer(text) if m.group() in issued]

    def revealer(self, skip: frozenset[str] = frozenset()) -> "Revealer":
        """A streaming `reveal` for a reply arriving in pieces (never revealing labels in `skip`)."""
        return Revealer(self, skip)

    def clear(self) -> None:
        """Forget every value and placeholder; numbering restarts at 1."""
        self._issued.clear()
        self._values.clear()
        self._next.clear()

    def __len__(self) -> int:
        """Number of distinct placeholders issued."""
        return len(self._issued)

    def __repr__(self) -> str:
        return f"<Placeholders: {len(self._issued)} issued, {len(self._values)} revealable>"


class Revealer:
    """Reveals placeholders in a stream; holds back only a trailing `[...` that may still become one."""

    __slots__ = ("_vault", "_pending", "_skip", "_before")

    def __init__(self, vault: Placeholders, skip: frozenset[str] = frozenset()) -> None:
        self._vault = vault
        self._pending = ""
        self._skip = skip
        self._before = ""  # the current line so far (bounded): context for the next placeholder

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the revealed text that is now complete."""
        text = self._pending + chunk
        i = text.rfind("[")
        if i != -1 and (_PARTIAL.fullmatch(text, i) is not None or _HELD.fullmatch(text, i) is not None):
            self._pending = text[i:]
            text = text[:i]
        else:
            self._pending = ""
        return self._reveal(text)

    def flush(self) -> str:
        """End of the reply: the held-back tail, revealed."""
        text, self._pending = self._pending, ""
        return self._reveal(text)

    def _reveal(self, text: str) -> str:
        out = self._vault.reveal(text, self._skip, self._before)
        self._before = _line_tail(self._before + text)
        return out
