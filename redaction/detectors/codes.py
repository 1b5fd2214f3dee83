"""Codes: order numbers (configurable), passport numbers, Chinese licence plates."""

from __future__ import annotations

import re

from .base import (
    DIGITS, END, LETTERS, LOOKBEHIND, START, UPPER, PatternDetector, _sre_parse, after_cue, lead, widths,
)
from .phones import _EN_DIGIT, _ZD

# --- order numbers --------------------------------------------------------------------------------
DEFAULT_ORDER_ID_PATTERNS = (r"ORD-[0-9]{8}",)
_ORDER_ALPHABET = frozenset(DIGITS + LETTERS + "-_/#.")
MAX_ORDER_ID_LEN = 48


class PatternError(ValueError):
    """A configured pattern cannot be used (the message names the rule it breaks, not the pattern)."""


def order_id_detector(pattern: str) -> PatternDetector:
    """An ORDER_ID detector for one configured pattern (matched in any case, as a whole token).

    A match may only hold letters, digits and `-_/#.`; matches holding anything else are ignored. The
    pattern must not match the empty string and must be bounded (at most 48 characters), so that the
    stream never holds back more than that.
    """
    flags = re.ASCII | re.IGNORECASE
    try:
        re.compile(pattern, flags)
        low, high = widths(pattern, flags)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError("order id pattern is not a valid regular expression") from exc
    if high >= _sre_parse.MAXREPEAT or high > MAX_ORDER_ID_LEN:
        raise PatternError(f"order id pattern can match more than {MAX_ORDER_ID_LEN} characters")
    if low == 0:
        raise PatternError("order id pattern can match an empty string")
    required = _literal_prefix(pattern, flags)
    if required and len(required[0]) > 1 and required[0][-1] in "-_" and pattern.startswith(required[0]):
        # Customers leave out the dash (`ORD20241103` for ORD-[0-9]{8}): the separator after the literal
        # prefix is optional. Only when the pattern spells its prefix plainly, so the rest is known.
        prefix = required[0]
        pattern = re.escape(prefix[:-1]) + "(?:" + re.escape(prefix[-1]) + ")?(?:" + pattern[len(prefix):] + ")"
        required = (prefix[:-1],)
    return PatternDetector(
        "ORDER_ID", START + "(?:" + pattern + ")" + END, None, _ORDER_ALPHABET,
        validate=_only_order_chars, flags=re.IGNORECASE, required=required,
    )


def _literal_prefix(pattern: str, flags: int) -> tuple[str, ...]:
    """The literal text every match starts with (`ORD-` for `ORD-[0-9]{8}`), as a requirement; ()
    when the pattern starts otherwise. Matched ignoring case, like the pattern."""
    prefix = []
    for op, arg in _sre_parse.parse(pattern, flags):
        if op is not _sre_parse.LITERAL:
            break
        prefix.append(chr(arg))
    return ("".join(prefix),) if prefix else ()


def _only_order_chars(value: str) -> bool:
    return _ORDER_ALPHABET.issuperset(value)


# --- passports ------------------------------------------------------------------------------------
_ALNUM_NO_IO = "A-HJ-NP-Z"
# Chinese ordinary passports: E + 8 digits, or E + a letter + 7 digits; older G + 8 digits.
_CN_PASSPORT = lead("EG", "0-9A-Za-z") + r"(?:[0-9]{8}|[" + _ALNUM_NO_IO + r"][0-9]{7})" + END
# Other countries' numbers look like anything, so only after a cue word.
_PASSPORT_CUES = [c + sep for c in ("passport", "passport no", "passport no.", "passport number", "passport #",
                                    "护照", "护照号", "护照号码", "护照号是", "护照号码是", "护照号码为",
                                    "travel document", "travel doc", "travel doc no", "document no", "document no.",
                                    "document number", "旅行证件", "旅行证", "证件号", "通行证", "通行证号")
                   # (a key=value export and a JSON field: 护照=C4419382, "passport":"TK4829173")
                   for sep in ("", " ", ":", ": ", "#", " is ", " is: ", "=", " = ", "\":\"", "\": \"")
                   if len(c + sep) <= LOOKBEHIND]
_PASSPORT_CUE = (lead("A-Za-z0-9", "0-9A-Za-z") + after_cue(_PASSPORT_CUES, "A-Za-z0-9", ignore_case=True)
                 + r"[A-Za-z0-9]{5,8}" + END)


# --- order numbers after a cue ------------------------------------------------------------------------
# Whatever stands in an order-number field is the order number, whatever shape it has (`订单号 ORD20241103`,
# `单号：ORD 2024110301`, `order no. 13812345678`): listed before the phone and ID detectors, so the same
# span is an ORDER_ID. A space only after a capitalised prefix: the stream holds a trailing run of this
# alphabet, and a lower-case letter ends it.
_ORDER_CUES = [c + sep for c in ("订单号", "订单号码", "订单编号", "订单", "单号", "运单号", "快递单号", "订单id",
                                 "小票号", "报案号", "案件号", "工单", "快递", "物流", "快件", "运单", "预约号", "申请编号",
                                 "申请号", "受理号", "流水号", "orderid\":\"", "orderid\": \"",
                                 "order_id\":\"", "order_id\": \"", "order_no\":\"", "order_no\": \"", "order number", "order no", "order no.", "order #", "order id", "order",
                                 "order ref", "order ref.", "tracking number", "tracking no.", "tracking")
               for sep in ("", " ", ":", ": ", "是", "为", "是:", "是 ", "为 ", "为:", "系", "系 ", " is ", " is: ", "#", " #",
                           "(", "【", "[", "'s ", "’s ", "是#", "是 #", ":#", ": #")
               if len(c + sep) <= LOOKBEHIND and (sep or not c.startswith(("order", "track")) or c.endswith('"'))
               and not (c in ("order", "tracking") and sep in ("", " ", " is ", "是", "为", "'s ", "’s "))]
_ORDER_LOWER = (lead("A-Za-z0-9", "0-9A-Za-z") + after_cue(_ORDER_CUES, "A-Za-z0-9", ignore_case=True)
                + r"(?:(?<=[A-Za-z])[A-Za-z]{0,5}-?[0-9]|(?<=[0-9]))[0-9A-Za-z-]{3,23}" + END)
_ORDER_UPPER = (lead("A-Z", "0-9A-Za-z") + after_cue(_ORDER_CUES, "A-Z", ignore_case=True)
                + r"[A-Z]{0,5} [0-9][0-9A-Z-]{3,23}" + END)


# A case, ticket, booking or other reference after its name (`ticket #48213`, `case #00123456`, `PNR is
# K7XQ2M`, `booking reference ABC123`, `Tracking: 1Z999AA10123456784`, `order (#45872991)`): it leads to the
# customer as an order number does. A bare `ticket`, `case` or `reference` only before `:` or `#`. Input only
# (SPOKEN_ORDER_DETECTORS): the model never sees a customer's reference to say it back.
_REF_NAMES = ("ticket number", "ticket no", "ticket no.", "case number", "case no", "case no.", "claim number",
              "claim no", "claim no.", "reference number", "reference no", "reference no.", "ref no", "ref no.",
              "invoice number", "invoice no", "invoice no.", "rma number", "rma", "booking reference",
              "booking ref", "booking ref.", "booking number", "booking code", "reservation number",
              "reservation code", "confirmation number", "confirmation code", "pnr", "tracking code", "tracking id",
              "awb", "awb no", "awb number", "air waybill", "consignment number", "consignment no",
              "consignment no.", "ref.")
_REF_BARE = ("ticket", "case", "claim", "reference", "ref", "invoice", "tracking", "booking", "order")
_REF_CUES = ([c + sep for c in (*_REF_NAMES, "case id", "booking id", "claim id", "ticket id")
              for sep in (" ", ": ", ":", " #", "#", " is ", " is: ", " - ")]
             + [c + sep for c in _REF_BARE for sep in (": ", ":", " #", "#", " # ", " (#", " (", " - ", " # is ", " #: ")])
_REF_CUES = [c for c in _REF_CUES if len(c) <= LOOKBEHIND]
_REFERENCE = (lead("A-Za-z0-9", "0-9A-Za-z") + after_cue(_REF_CUES, "A-Za-z0-9", ignore_case=True)
              + r"[A-Za-z0-9/-]{4,23}" + END)


# ... or after a bare `order`, `booking` ... and a space, when it is plainly a code (`order 7730019245`,
# `booking BK-90022811`): six digits or more, or five with a letter or dash (`in order 2024` is a year).
_BARE_NAMES = ("order", "orders", "booking", "reservation", "ticket", "case", "claim", "tracking", "waybill",
               "consignment", "shipment", "parcel", "package", "awb", "rma", "booking id", "case id", "claim ref",
               "order # is", "order number's", "order id's")
_BARE_REF = (lead("A-Za-z0-9", "0-9A-Za-z") + after_cue([c + " " for c in _BARE_NAMES], "A-Za-z0-9", ignore_case=True)
             + r"[A-Za-z0-9][A-Za-z0-9-]{4,23}" + END)


def _bare_reference(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return _reference(value) and (digits >= 6 or (digits >= 5 and not value.isdigit()))


# Strings one of which every reference cue holds (the search for any is skipped without one).
_REF_REQUIRED = ("#", ":", " is ", " (", " - ", "ref", "REF", "Ref", "pnr", "PNR", "rma", "RMA", "awb", "AWB", "Awb",
                 "ode ", "umber ", "UMBER ", "o ", "O ", "o. ", "ybill ")


# A date or a year range (`case 2024-25`, `booking 2025-05-01`) is no reference.
_DATE_LIKE = re.compile(r"(?:19|20)[0-9]{2}(?:[-/][0-9]{1,2}){1,2}|[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{2,4}")


def _reference(value: str) -> bool:
    """A code with a digit, not a year, a date or a count alone (ticket: 2024 is no reference)."""
    return (any(ch.isdigit() for ch in value) and len(value) >= 5 and not value.endswith(("-", "/"))
            and bool(set(value) - set("0-/")) and _DATE_LIKE.fullmatch(value) is None)


def _order_value(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return digits >= 4 and len(value) >= 6 and set(value) - set("0 -") != set()


# ... and in digit groups (`工单号是 GD 2024 0612 0037`, `单号是SF 1403 8827 6651 2`): input only, as the
# stream would hold every space-separated digit run after a cue.
_ORDER_GROUPED = (lead("A-Z0-9", "0-9A-Za-z") + after_cue(_ORDER_CUES + _REF_CUES, "A-Z0-9", ignore_case=True)
                  + r"(?:(?<=[A-Z])[A-Z]{0,4} ?[0-9]{2,8}|(?<=[0-9])[0-9]{1,7})(?: [0-9]{1,8}){1,5}" + END)


def _grouped_order(value: str) -> bool:
    return sum(ch.isdigit() for ch in value) >= 8


_ORDER_REQUIRED = ("单号", "订单", "票号", "案号", "件号", "工单", "快递", "物流", "快件", "运单", "约号", "请编号", "请号",
                   "理号", "水号", "order", "ORDER", "Order", "racking", "RACKING")
CUED_ORDER_DETECTORS: list[PatternDetector] = [
    PatternDetector("ORDER_ID", _ORDER_LOWER, None, DIGITS + LETTERS + "-", validate=_order_value,
                    required=_ORDER_REQUIRED),
    PatternDetector("ORDER_ID", _ORDER_UPPER, None, DIGITS + UPPER + " -", validate=_order_value,
                    required=_ORDER_REQUIRED, starts=UPPER),
]


# An order number read out after its cue (speech-to-text: `order number is A B C one two three four five`,
# `tracking number: 9 4 0 0 1 1 1`, `订单号是幺二三四五六七八`): six or more letters, digits or digit words,
# one at a time, with four or more digits among them. Input only (redaction.redactor INPUT_ONLY_PATTERNS):
# its alphabet holds letters and the space, so on a reply stream it would hold every English tail.
# The digit words of phones' read-out numbers, less `o`: in an order code a lone O is a letter.
_SPOKEN_DIGIT = {word: digit for word, digit in _EN_DIGIT.items() if word != "o"}
_ZH_NUMERALS = _ZD
_SPOKEN_UNIT = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple|[a-z0-9])"
_SPOKEN_ORDER_CUES = [c + sep for c in ("order number", "order no", "order no.", "order #", "order id", "order ref",
                                        "tracking number", "tracking no.", "tracking #")
                      for sep in (" is ", " ", ": ", " is: ") if len(c + sep) <= LOOKBEHIND]
_REST_OF_WORD = ("(?:(?<=[zZ])ero|(?<=[oO])(?:h|ne)|(?<=[tT])(?:wo|hree|riple)|(?<=[fF])(?:our|ive)|(?<=[sS])(?:ix|even)"
                 "|(?<=[eE])ight|(?<=[nN])ine|(?<=[dD])ouble)?")
_SPOKEN_ORDER = (
    lead("A-Za-z0-9", "0-9A-Za-z") + after_cue(_SPOKEN_ORDER_CUES, "A-Za-z0-9", ignore_case=True)
    + "(?i:" + _REST_OF_WORD + r"(?:(?:, | |-)" + _SPOKEN_UNIT + r"){5,19})(?![A-Za-z0-9])"
)
_ZH_ORDER_CUES = [c + sep for c in ("订单号", "订单号码", "订单编号", "单号", "运单号", "快递单号")
                  for sep in ("", " ", "是", ":", ": ", "是 ", "为")]
_ZH_UNIT = _ZH_NUMERALS + "0-9A-Za-z"
_ZH_SPOKEN_ORDER = (
    lead(_ZH_UNIT, _ZH_UNIT) + after_cue(_ZH_ORDER_CUES, _ZH_UNIT)
    + "(?: ?[" + _ZH_UNIT + "]){5,23}(?![" + _ZH_UNIT + "])"
)


def spoken_order(value: str) -> bool:
    if any(ch in _ZH_NUMERALS for ch in value):  # 订单号是幺二三 四五六: one character a unit
        units = [ch for ch in value if not ch.isspace()]
    else:
        units = [u for u in re.split(r"[ ,-]+", value.lower()) if u]
    digits = sum(u in _SPOKEN_DIGIT or u.isdigit() or u in _ZH_NUMERALS for u in units)
    # Four digits, and not a code already written in one piece (ORDER_ID's own detectors find those).
    return digits >= 4 and any(u in _SPOKEN_DIGIT or u in _ZH_NUMERALS or len(u) == 1 for u in units) and len(units) >= 6


SPOKEN_ORDER_DETECTORS: list[PatternDetector] = [
    PatternDetector("ORDER_ID", _SPOKEN_ORDER, None, DIGITS + LETTERS + " ,-", validate=spoken_order,
                    required=_ORDER_REQUIRED),
    PatternDetector("ORDER_ID", _ZH_SPOKEN_ORDER, None, DIGITS + LETTERS + _ZH_NUMERALS + " ", validate=spoken_order,
                    required=("单号",)),
    PatternDetector("ORDER_ID", _ORDER_GROUPED, None, DIGITS + UPPER + " ", validate=_grouped_order,
                    required=_ORDER_REQUIRED + _REF_REQUIRED),
    PatternDetector("ORDER_ID", _BARE_REF, None, DIGITS + LETTERS + "-", validate=_bare_reference,
                    required=tuple(w for c in _BARE_NAMES[:15] for w in (c + " ", c.title() + " ", c.upper() + " "))),
    PatternDetector("ORDER_ID", _REFERENCE, None, DIGITS + LETTERS + "-/", validate=_reference,
                    required=_REF_REQUIRED),
]


def _passport_number(value: str) -> bool:
    return sum(ch.isdigit() for ch in value) >= 5


# --- licence plates -------------------------------------------------------------------------------
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Za-hj-np-z"  # plate letters: no I or O
_PLATE = (
    lead(_PROVINCES, "A-Za-z0-9" + _PROVINCES) + "[" + _L + r"][·・•. -]?"
    r"(?:[DFdf][" + _L + r"0-9][0-9]{4}|[0-9]{5}[DFdf]|[" + _L + r"0-9]{4}[" + _L + r"0-9挂学警港澳])"
    r"(?![A-Za-z0-9])"
)


def _plate(value: str) -> bool:
    return sum(ch.isdigit() for ch in value) >= 2


DETECTORS: list[PatternDetector] = [
    PatternDetector("PASSPORT", _CN_PASSPORT, None, DIGITS + UPPER, required=DIGITS, starts="EG"),
    PatternDetector("PASSPORT", _PASSPORT_CUE, None, DIGITS + LETTERS, validate=_passport_number,
                    required=DIGITS),
    PatternDetector("LICENSE_PLATE", _PLATE, None, _PROVINCES + DIGITS + LETTERS + "·・•. -挂学警港澳",
                    validate=_plate, required=_PROVINCES, starts=_PROVINCES),
]
