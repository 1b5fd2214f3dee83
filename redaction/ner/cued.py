"""Values that only the words AFTER them identify: a number before `-Office`, `(fax)` or `mobile` in a
contact record, or before `is my number` / `是我的手机`, or after a turn that asked for a phone. (A postcode alone after `zip code is` is not taken: without a street it locates an area,
not a person, and the public corpora label it so.)

Input side only (a recognizer): the stream's detectors may look at most one character past a match (see
detectors/base.py), and a type word after a number is several. No library covers these forms: they are
the contact-record layouts of address books and CRM exports, where the number's own shape varies by
country (`51-16-34-25-Office`, `(69) 948-538-Office`, `833.719.3994x1887-fax`).
"""

from __future__ import annotations

import re

from ..detectors.names import SPELLED_LETTERS
from .references import written_references
from .indian_places import indian_addresses
from .malaysian_places import malaysian_addresses
from .said_numbers import SaidNumbers
from .said_places import SaidAddresses
from .spoken import SpokenCodes
from .tables import table_cells
from .turn_numbers import turn_numbers
from .turn_places import turn_places

# A phone type word, and 6 to 15 digits right before it with the separators numbers are written with and
# an optional extension (searched only in the few characters before a type word: a scan of every digit
# would be quadratic on long digit runs).
_TYPE = re.compile(r"(?<![A-Za-z])(?i:office|fax|mobile|cell|home|work|landline|tel)(?![A-Za-z])")
# ... or a phrase that says whose number it was (`4155550199 is my number`, `13812345678是我的手机`).
_SAYS_WHOSE = re.compile(r"(?i:,? (?:is|was|that's|thats|it's|its) (?:my|his|her|our|their) (?:new |old |home |work |"
                         r"cell |mobile |phone |direct |contact |personal )?(?:number|phone|cell|mobile|contact|landline))"
                         r"(?![A-Za-z])|,? ?(?:是|系)(?:我|他|她|我们)的?(?:电话|手机|号码|联系方式|座机|联系电话)")
# ... or the turn before asked for it (a transcript: `Agent: What's your phone number?` / `Customer: it's
# 4155550199`, `my number is` / `6175550143`): the next line or the one after opens with the number, after a
# speaker's label and a filler word. Asked for a phone, not for any number (an order number is not).
_ASKED = re.compile(r"(?i:phone|cell|mobile|telephone|contact number|callback number|call you back|reach you|"
                    r"(?:my|the|his|her|your) number is|number to call)[^\n]{0,40}\n|"
                    r"(?:电话|手机|联系方式|座机|联系电话)[^\n]{0,20}\n")
# A speaker's label, after a timestamp where the transcript has one (`Caller:`, `Speaker 2:`, `[00:01:30] Agent:`).
LINE_START = (r"[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?(?:[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff .]{0,14}[:：])?"
              r"[^\S\n]*")
FILLER = (r"(?i:(?:(?:it's|its|it is|sure|yes|yeah|yep|ok|okay|that's|uh|um|er|so)(?![A-Za-z])|好的|是|嗯|我的是)"
          r"[,，.]?[^\S\n]*){0,2}")
_LINE_END = r"(?![0-9A-Za-z@.-])[ \t.,!，。]*"
_ANSWER = re.compile(r"(?:[^\S\n]*\n)?" + LINE_START + FILLER + r"(\+?\(?[0-9][0-9() .-]{5,18}[0-9])" + _LINE_END
                     + r"(?:\n|$)")
# ... or answered in two turns (`Customer: 650` / `Customer: 555 0132`, `客户：138` / `客户：1234 5678`).
_ANSWER_SPLIT = re.compile(r"(?:[^\S\n]*\n)?" + LINE_START + FILLER + r"(\+?\(?[0-9][0-9() .-]{0,10}[0-9]|[0-9])"
                           + _LINE_END + r"\n" + LINE_START + r"([0-9][0-9 .-]{1,12}[0-9])" + _LINE_END + r"(?:\n|$)")
# ... and a name spelled letter by letter on the line after a turn that asked for a name or its spelling
# (`Agent: Could you spell your surname?` / `Customer: K-O-W-A-L-S-K-I`).
ASKED_NAME = re.compile(r"(?i:spell|surname|last name|first name|full name|your name|the name|what name|"
                        r"who am i (?:speaking|chatting|talking) (?:to|with)|who(?:'s| is) (?:calling|this)|"
                        r"who (?:do|have) i have|(?<![A-Za-z])(?<!company )(?<!business )(?<!user )(?<!product )(?<!street )(?<!store )"
                        r"(?<!file )(?<!account )(?<!network )(?<!wifi )(?<!pet )(?<!dog )(?<!cat )(?<!brand )(?<!model )"
                        r"name(?:[^\S\n]+please[^\S\n]*[?:.]?|[^\S\n]*[?:])|"
                        # name on the card, whose name, the account holder, who I'm speaking with, name sir
                        r"(?i:name (?:on|of|for) (?:the|your|this)|whose name|account holder|(?:i'm|i am|am i) "
                        r"(?:speaking|talking|chatting) (?:to|with)|name[ ,]+(?:sir|ma'am|madam|mam)(?![A-Za-z])))"
                        r"[^\n]{0,60}\n|(?:姓名|名字|贵姓|称呼|全名|英文名|拼音)[^\n]{0,20}\n")
_SPELLED_ANSWER = re.compile(r"(?:[^\S\n]*\n)?" + LINE_START + FILLER + "([A-Za-z]" + SPELLED_LETTERS + ")"
                             + r"(?![A-Za-z0-9])[ \t.,!]*(?:\n|$)")
# A Singapore flat: a block, a street of any words, the unit's `#floor-unit` (`Blk 208 Serangoon Central
# #11-342`, `block 4 Jalan Bukit Merah #03-17`): the unit makes it one, whatever the street is called.
_SG_FLAT = re.compile(r"(?<![A-Za-z])(?i:blk|block)\.? [0-9]{1,4}[A-Za-z]?,? (?:[A-Z][A-Za-z']+ ){1,4}(?:[0-9]{1,2},? )?"
                      r"#[0-9]{1,3}-[0-9]{1,5}[A-Za-z]?(?![0-9A-Za-z])")
# A Hong Kong flat written in English: flat, floor as `12/F`, then block, estate and district (`Flat B, 12/F,
# Block 3, Laguna City, Kwun Tong`): the `/F` floor makes it one.
_HK_FLAT = re.compile(r"(?<![A-Za-z])(?i:flat|rm|room|unit|shop)\.? ?[A-Z0-9]{1,4}, ?(?:[0-9]{1,2}|G)/F(?![A-Za-z0-9])"
                      r"(?:, ?(?i:block|blk|tower) [A-Z0-9]{1,3})?(?:, ?[A-Z][A-Za-z'’-]+(?: [A-Z][A-Za-z'’-]+){0,3}){0,3}")
_WHOSE = (" my ", " his ", " her ", " our ", " their ", "是我", "系我", "是他", "系他", "是她", "系她")
_NUMBER_BEFORE = re.compile(r"(?<![0-9A-Za-z+])(\+?\(?[0-9][0-9() .-]{4,22}[0-9](?:x[0-9]{1,6})?)[ -]?\(?\Z")  # \Z: a number on the line before (DOB: 2001-05-21\nMobile:) is not it
_WINDOW = 32
# Whom to call and on what number (Contact Mrs. Shah on 98200 41763, call Priya on +91 98765 43210).
_SAID_DATE = re.compile(r"(?:19|20)[0-9]{2}[ ./-][0-9]{1,2}[ ./-][0-9]{1,2}|[0-9]{1,2}[ ./-][0-9]{1,2}[ ./-](?:19|20)[0-9]{2}")
_CALL_ON = re.compile(r"(?<![A-Za-z])(?i:call|contact|ring|text|whatsapp|reach)[^\S\n]+(?:[A-Z][\w.'’-]*[^\S\n]+){1,3}"
                      r"on[^\S\n]+(\+?\(?[0-9][0-9() -]{6,16}[0-9])(?![0-9])")
# What a number said in pieces with fillers may be (redaction.ner.said_numbers).
_SAID_NUMBER_LABELS = ("PHONE", "CN_ID", "BANK_CARD", "CREDIT_CARD")


class CuedValues:
    """Recognizer: phones typed by the words around them; a name spelled out when it was asked for; codes
    read out after their cue (redaction.ner.spoken); references written after theirs (redaction.ner.references);
    Chinese addresses and numbers said in pieces (redaction.ner.said_places, said_numbers); Indian and Malaysian
    addresses as written (redaction.ner.indian_places, malaysian_places)."""

    labels = tuple(dict.fromkeys(("PHONE", "PERSON", *SpokenCodes.labels, "ORDER_ID", "ADDRESS", *_SAID_NUMBER_LABELS)))

    def __init__(self) -> None:
        from ..detectors import DEFAULT_DETECTORS
        from ..redactor import Redactor

        self.spoken = SpokenCodes()
        self.places = SaidAddresses(Redactor([d for d in DEFAULT_DETECTORS if d.label == "ADDRESS"], ()))
        self.numbers = SaidNumbers(Redactor([d for d in DEFAULT_DETECTORS if d.label in _SAID_NUMBER_LABELS], ()))

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        """PHONE spans on normalised `text`."""
        out: list[tuple[int, int, str, float]] = []
        # The possessive every _SAYS_WHOSE match holds, looked for first: a long text without one is not
        # scanned position by position.
        low = text.lower()
        whose = _SAYS_WHOSE.finditer(text) if any(w in low for w in _WHOSE) else ()
        for t in (*_TYPE.finditer(text), *whose):
            start = max(0, t.start() - _WINDOW)
            m = _NUMBER_BEFORE.search(text, start, t.start())
            if m is None or (m.start(1) == start and start > 0):
                continue  # nothing before the word, or a run longer than any phone
            value = m.group(1).lstrip(" .-")
            if value.startswith("(") and value.count("(") > value.count(")"):
                value = value[1:]  # a bracket opened before the number, not its area code's
            if _phone_like(value, 6 if t.re is _TYPE else 7) and not _SAID_DATE.fullmatch(value):
                out.append((m.end(1) - len(value), m.end(1), "PHONE", 0.85))
        for m in (_CALL_ON.finditer(text) if " on " in text else ()):
            if _phone_like(m.group(1), 8) and not _SAID_DATE.fullmatch(m.group(1)):
                out.append((*m.span(1), "PHONE", 0.85))  # Contact Mrs. Shah on 98200 41763
        for q in (_ASKED.finditer(text) if "\n" in text else ()):
            m = _ANSWER.match(text, q.end())
            if m is not None and _phone_like(m.group(1), 7):
                out.append((m.start(1), m.end(1), "PHONE", 0.8))
                continue
            m = _ANSWER_SPLIT.match(text, q.end())
            if m is not None and _phone_like(m.group(1) + m.group(2), 7) and sum(c.isdigit() for c in m.group(1)) < 7:
                out.extend(((m.start(1), m.end(1), "PHONE", 0.8), (m.start(2), m.end(2), "PHONE", 0.8)))
        for q in (ASKED_NAME.finditer(text) if "\n" in text else ()):
            m = _SPELLED_ANSWER.match(text, q.end())
            if m is not None:
                out.append((m.start(1), m.end(1), "PERSON", 0.8))
        out.extend(self.spoken.find(text))
        out.extend(written_references(text))
        out.extend(self.places.find(text))
        out.extend(self.numbers.find(text))
        out.extend(indian_addresses(text))
        out.extend(malaysian_addresses(text))
        out.extend(turn_numbers(text))
        out.extend(table_cells(text))
        out.extend(turn_places(text))
        if "/F" in text:
            out.extend((m.start(), m.end(), "ADDRESS", 0.85) for m in _HK_FLAT.finditer(text))
        if "#" in text:
            out.extend((m.start(), m.end(), "ADDRESS", 0.85) for m in _SG_FLAT.finditer(text))
        return out


def _phone_like(value: str, least: int) -> bool:
    """`least` to 15 digits (before an `x` extension), brackets paired, more than three distinct characters."""
    digits = sum(ch.isdigit() for ch in value.split("x")[0])
    return least <= digits <= 15 and value.count("(") == value.count(")") and len(set(value)) > 3
