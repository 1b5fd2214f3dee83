"""Rows pasted from a spreadsheet or a CRM export under their header (`Name\tPhone\tPolicy`, `first_name,
last_name,dob,phone`, `姓名 | 手机 | 会员ID`): a cell is what its column says it is. A name with no cue
(`keisha,washington-brooks,…`), a policy or member number of any shape (`PA2024-0613-0072`, `M-77201934`)
is found by the header above it.

A header is a line of two or more short cells, without digits, split by tabs, pipes or commas, at least two
of which name a kind of personal data; its rows are the lines after it split the same way into as many
cells. Each cell is checked against its kind before it is taken (a name holds no digit, a phone has 7 to
15 digits, a reference holds a digit).

Input side only (a recognizer, called from CuedValues). Text is normalised (traditional characters
simplified, full-width forms ASCII).
"""

from __future__ import annotations

import re

from .spoken import PHONE_VALUE, phone_digits
from .turn_numbers import line_spans

# What a header cell names (lower case, spaces and underscores alike).
_KINDS = (
    ("PERSON", re.compile(r"(?:(?:first|last|given|family|full|customer|client|contact|patient|passenger|guest|"
                          r"member|holder|account holder|insured|recipient)[ _-]?)?name|surname|forename|"
                          r"customer|client|patient|passenger|guest|contact|"
                          r"(?:客户|会员|联系人|收件人|持卡人|乘客|患者|被保险人|投保人)?姓名|联系人|收件人|名字")),
    ("PHONE", re.compile(r"(?:(?:mobile|cell|contact|home|work)[ _-]?)?(?:phone|tel|telephone|mobile|cell)"
                         r"(?:[ _-]?(?:no|number|#))?|(?:手机|电话|联系电话|手机号|手机号码|电话号码)")),
    ("ORDER_ID", re.compile(r"(?:policy|order|tracking|booking|claim|case|ticket)(?:[ _-]?(?:no\.?|number|#|id|ref|"
                            r"reference))?|(?:member|membership|account|acct|customer|client|loyalty)[ _-]?(?:no\.?|"
                            r"number|#|id|ref|reference)|"
                            r"(?:保单|订单|会员|运单|工单|客户|账户)(?:号|编号|号码|id)?|单号")),
    ("ADDRESS", re.compile(r"(?:(?:home|postal|mailing|billing|shipping|street|delivery)[ _-]?)?(?:address|addr)|"
                           r"(?:收货|家庭|联系|通讯|送货)?地址|住址")),
    ("CN_ID", re.compile(r"身份证(?:号|号码)?|证件号(?:码)?")),
)
_DELIMITERS = ("\t", "|", ",")
# Header cells that only a table of people has.
_PERSONAL = re.compile(r"e-?mail|邮箱|電郵|电邮|(?:first|last|given|family|full)[ -]?name|surname|forename|"
                       r"(?:客户|会员|联系人|收件人|持卡人|乘客|患者)?姓名")
_PHONE = re.compile(PHONE_VALUE)
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/ .-]{2,30}[A-Za-z0-9]")
_ID = re.compile(r"[0-9]{15}|[0-9]{17}[0-9Xx]")
_NOBODY = frozenset("n/a na none null - -- 无 暂无 同上 本人 tbd unknown".split())


def _kind(cell: str) -> str | None:
    key = cell.strip().lower().replace("_", " ")
    for label, pattern in _KINDS:
        if pattern.fullmatch(key):
            return label
    return None


def _cells(line: str, start: int, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) in the text of each cell of a line, blanks around a cell left out."""
    out = []
    pos = start
    for part in line.split(delimiter):
        a, b = pos, pos + len(part)
        while a < b and part[a - pos].isspace():
            a += 1
        while b > a and part[b - pos - 1].isspace():
            b -= 1
        out.append((a, b))
        pos += len(part) + 1
    return out


def _header(line: str, delimiter: str) -> list[str | None] | None:
    cells = [c.strip() for c in line.split(delimiter)]
    if len(cells) < 2 or any(len(c) > 30 or len(c.split()) > 3 or any(ch.isdigit() or ch in ":：。?？" for ch in c)
                             for c in cells):
        return None  # (a sentence listing fields, 请核对姓名，电话，地址, is no header)
    kinds = [_kind(c) for c in cells]
    named = sum(k is not None for k in kinds)
    if named < 2 or 2 * named < len(cells):
        return None
    # A product or case list has a name and an order column too: a table of people has a phone, an address,
    # an ID, an e-mail or a column named for a person's name itself.
    if not any(k in ("PHONE", "ADDRESS", "CN_ID") for k in kinds) and not any(
            _PERSONAL.fullmatch(c.lower().replace("_", " ")) for c in cells):
        return None
    return kinds


def _fits(label: str, value: str) -> bool:
    low = value.lower()
    if not value or low in _NOBODY:
        return False
    if label == "PERSON":
        return len(value) <= 40 and len(value.split()) <= 5 and not any(c.isdigit() or c in "@/#\t" for c in value)
    if label == "PHONE":
        return _PHONE.fullmatch(value) is not None and phone_digits(value)
    if label == "ORDER_ID":
        return _REFERENCE.fullmatch(value) is not None and any(c.isdigit() for c in value)
    if label == "CN_ID":
        return _ID.fullmatch(value) is not None
    return len(value) <= 120 and any(c.isalpha() for c in value)  # ADDRESS


def table_cells(text: str) -> list[tuple[int, int, str, float]]:
    """Spans of the cells under a header that names their kind (above), and of a phone column in rows
    pasted without a header (`_phone_column`)."""
    if "\n" not in text or not any(d in text for d in _DELIMITERS):
        return []
    found = _with_header(text)
    if "\t" not in text:
        return found
    taken = {i for a, b, _, _ in found for i in range(a, b)}
    return found + [s for s in _phone_column(text) if taken.isdisjoint(range(s[0], s[1]))]


# A date or a time is no phone, whatever its digits (2024-09-12, 12/09/2024 09:30).
_DATE_OR_TIME = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?|"
                           r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?")


# A phone as people write one: grouped (9876 0213, 0912-345-678, (02) 1234 5678) or with its `+`; a run of
# bare digits is as often a barcode or a date (4006381333931, 20240901).
_GROUPED = re.compile(r"[0-9][ ().-]+[0-9]|^\+|\+[0-9]")


def _phone_column(text: str) -> list[tuple[int, int, str, float]]:
    """Rows split by tabs with no header (`譚詠詩\t9876 0213\t香港仔南寧街8號…\t已付`), two or more lines of
    three or more cells each: a column whose every cell is a phone number's shape (8 to 15 digits, grouped,
    no date or time: a column of 7-digit codes, barcodes or yyyymmdd dates is as likely) in rows that also
    hold words is a phone column."""
    rows = [(start, text[start:end]) for start, end in line_spans(text)]
    out: list[tuple[int, int, str, float]] = []
    i = 0
    while i < len(rows):
        tabs = rows[i][1].count("\t")
        j = i + 1
        while j < len(rows) and tabs >= 2 and rows[j][1].count("\t") == tabs:
            j += 1
        if j - i >= 2:
            cells = [_cells(line, start, "\t") for start, line in rows[i:j]]
            worded = all(any(any(ch.isalpha() for ch in text[a:b]) for a, b in row) for row in cells)
            for column in range(tabs + 1):
                values = [row[column] for row in cells]
                if worded and all(_fits("PHONE", text[a:b]) and sum(ch.isdigit() for ch in text[a:b]) >= 8
                                  and not _DATE_OR_TIME.fullmatch(text[a:b]) and _GROUPED.search(text, a, b)
                                  for a, b in values):
                    out.extend((a, b, "PHONE", 0.75) for a, b in values)
        i = max(j, i + 1)
    return out


def _with_header(text: str) -> list[tuple[int, int, str, float]]:
    lines = [(start, text[start:end]) for start, end in line_spans(text)]
    out: list[tuple[int, int, str, float]] = []
    i = 0
    while i < len(lines) - 1:
        start, line = lines[i]
        header = None
        for delimiter in _DELIMITERS:
            if delimiter in line:
                header = _header(line, delimiter)
                if header is not None:
                    break
        if header is None:
            i += 1
            continue
        i += 1
        while i < len(lines):
            start, line = lines[i]
            if line.count(delimiter) != len(header) - 1:
                break
            for (a, b), label in zip(_cells(line, start, delimiter), header):
                if label is not None and _fits(label, text[a:b]):
                    out.append((a, b, label, 0.8))
            i += 1
    return out
