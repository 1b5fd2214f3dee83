"""Numbers: phones (CN mobile and landline, US), CN resident IDs, bank and credit cards, US SSNs."""

from __future__ import annotations

import datetime
import functools
import re

from .base import (
    CN_HOTLINES, DIGITS, LETTERS, LOOKBEHIND, NUM_END, UPPER, US_TOLL_FREE, PatternDetector, after_cue, digits_of, lead,
    luhn_ok, cn_mobile,
)

# --- phones ---------------------------------------------------------------------------------------
# 010, 020-029, 0xxx (without the trunk 0); never 400/800 (`+86 400 820 8820` is a service hotline)
_CN_AREA = r"(?:10|2[0-9]|(?!400|800)[3-9][0-9]{2})"
# Each pattern consumes its first character and then checks, by lookbehind, which one it was: see lead().
_CN_MOBILE = (
    lead("+08(1", "0-9")
    + r"(?:(?<=\+)86[ -]?1|(?<=0)086[ -]?1|(?<=8)6[ -]?1|(?<=\()\+?86\)[ -]?1|(?<=1))"
    + r"[3-9][0-9](?:[ -]?[0-9]{4}){2}" + NUM_END
    # Every digit on its own, one space apart: how keycap digits (1️⃣ 3️⃣ 8️⃣ …) read once folded. Not
    # part of a longer run of spaced digits on either side.
    + r"|" + lead("1", "0-9") + r"(?<![0-9] 1) [3-9](?: [0-9]){9}" + NUM_END + r"(?! [0-9])"
)
_CN_LANDLINE = (
    lead("(0+", "0-9")
    + r"(?:(?<=\()0" + _CN_AREA + r"\)[ -]?|(?<=0)" + _CN_AREA + r"[ -]?|(?<=0)086[ -]?" + _CN_AREA
    + r"[ -]?|(?<=\+)86[ -]?" + _CN_AREA + r"[ -]?)[1-9][0-9]{2,3}[ -]?[0-9]{4}(?:-[0-9]{1,4})?" + NUM_END
)
_US_AREA = r"(?:\([2-9][0-9]{2}\)[ .-]?|[2-9][0-9]{2}[ .-])"
_US = (
    lead("(+1-9", "0-9")
    # `(555) 123-4567`: in brackets the area code alone says "phone", whatever the exchange.
    + r"(?:(?<=\()[2-9][0-9]{2}\)[ .-]?[0-9]{3}[ .-][0-9]{4}" + NUM_END + "|"
    + r"(?:(?<=\+)1[ .-]?" + _US_AREA + r"|(?<=1)[ .-]?" + _US_AREA
    + r"|(?<=[2-9])[0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}" + NUM_END + ")"
    + r"|" + lead("+", "0-9") + r"1[ .-]?[2-9][0-9]{9}" + NUM_END
)
# Area codes that are never a person's line: N11 services, toll-free 8XX, premium 900, and 400 (which is
# also how Chinese 400 service hotlines look: 400-820-8820). 555 is fictional but is what people type as
# an example of their own number, so it is redacted like any other.
_NOT_PERSONAL_AREA = re.compile(r"[2-9]11|8(00|33|44|55|66|77|88)|400|900")


def _us_phone(value: str) -> bool:
    digits = digits_of(value)
    if len(set(digits[-7:])) == 1:
        return False
    area = digits[1:4] if len(digits) == 11 else digits[:3]
    return _NOT_PERSONAL_AREA.fullmatch(area) is None


# --- CN resident ID -------------------------------------------------------------------------------
_CN_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82 83 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CN_ID = (
    lead("1-9", "0-9") + r"(?<![^A-Za-z][A-Z][1-9])(?<!^[A-Z][1-9])" + r"[0-9]{5}([ -]?)(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"\1[0-9]{3}[0-9Xx]" + NUM_END
)


def cn_id_score(value: str) -> float:
    """0 unless the region and birth date are real; 1.0 with a right check digit, 0.85 without.

    A near-valid ID (one mistyped digit) is still somebody's ID, so a wrong check digit lowers the score
    but does not reject.
    """
    body = value.replace(" ", "").replace("-", "")
    if body[:2] not in _CN_PROVINCES:
        return 0.0
    try:
        born = datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return 0.0
    if born > datetime.date.today():
        return 0.0
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body[:17], _ID_WEIGHTS)) % 11]
    return 1.0 if body[17].upper() == check else 0.85


# First-generation IDs (1984-2004): 15 digits, a two-digit year of the 1900s, no check digit.
_CN_ID15 = lead("1-9", "0-9") + r"(?<![^A-Za-z][A-Z][1-9])(?<!^[A-Z][1-9])[0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])" \
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}" + NUM_END


def cn_id15_score(value: str) -> float:
    """A 15-digit first-generation ID: a real region and a real 19YY birth date."""
    body = digits_of(value)
    if len(body) != 15 or body[:2] not in _CN_PROVINCES or len(set(body[6:])) == 1:
        return 0.0
    try:
        datetime.date(1900 + int(body[6:8]), int(body[8:10]), int(body[10:12]))
    except ValueError:
        return 0.0
    if body[:2] in ("34", "37") and luhn_ok(body):
        return 0.0  # also a valid American Express number, far more common today than an ID issued before 2004
    return 0.85


# --- cards ----------------------------------------------------------------------------------------
# Visa, Mastercard (51-55, 2221-2720), Amex, Discover (6011, 644-649, 65), JCB (35), Diners.
_CREDIT_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6011|64[4-9]|65|35|30[0-5]|3[689]")


def _card_digits(text: str) -> str:
    """The digits of a card number; the patterns already fixed how it may be grouped."""
    return text.replace(" ", "").replace("-", "")


# Maestro (12-19 digits) and the 15-digit JCB ranges (2131, 1800), Luhn-valid like the rest.
_MAESTRO_PREFIX = re.compile(r"5018|5020|5038|5893|6304|6759|676[1-3]")
_JCB15_PREFIX = re.compile(r"2131|1800")
# UATP (airline cards): 15 digits starting 1. Only at that length: a 13-digit millisecond timestamp starts
# with 1 too.
_UATP_PREFIX = "1"


def is_credit_card(text: str) -> bool:
    """A credit-card network prefix, 13-19 digits (Maestro 12-19, JCB 2131/1800 15), Luhn-valid."""
    digits = _card_digits(text)
    if not 12 <= len(digits) <= 19 or not digits.strip("0") or not luhn_ok(digits):
        return False
    if _MAESTRO_PREFIX.match(digits):
        return True
    if len(digits) == 15 and (_JCB15_PREFIX.match(digits) or digits.startswith(_UATP_PREFIX)):
        return True
    return len(digits) >= 13 and bool(_CREDIT_PREFIX.match(digits))


def is_bank_card(text: str) -> bool:
    """16-19 digits, not a credit-card prefix; UnionPay (62...) even without Luhn, others Luhn-valid."""
    digits = _card_digits(text)
    if not 16 <= len(digits) <= 19 or _CREDIT_PREFIX.match(digits) or not digits.strip("0"):
        return False
    # UnionPay debit numbers do not all carry a Luhn check digit.
    return digits.startswith("62") or luhn_ok(digits)


# Card numbers as people write them: plain 13-19 digits, 4-4-4-(1..4) or Amex 4-6-5 with one kind of
# separator. The 19-digit 4-4-4-4-3 form is a separate pattern so that "4111 1111 1111 1111 123"
# (card + CVV) still yields the valid 16-digit card when the 19-digit reading fails Luhn: a regex
# returns one match per start, but every detector's match at a start is a candidate.
# A single capital letter glued before the digits makes a product or serial code (`A4111111111111111`);
# a word does not (`card4111111111111111` still leaks the number). A capital glued after them does too
# (`ABC4111111111111111XYZ`, a unified social credit code `91310000552936878J`).
_NOT_CODE = r"(?<![^A-Za-z][A-Z][0-9])(?<!^[A-Z][0-9])"
_CARD = (
    lead("0-9", "0-9") + _NOT_CODE
    + r"(?:[0-9]{11,18}|[0-9]{3}([ -])(?:[0-9]{4}\1[0-9]{4}\1[0-9]{1,4}|[0-9]{6}\1[0-9]{5}))"
    + NUM_END + "(?![A-Z])"
)
_CARD_19 = (lead("0-9", "0-9") + _NOT_CODE + r"[0-9]{3}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}\1[0-9]{3}" + NUM_END
            + "(?![A-Z])")

# A debit card after a Chinese bank-card cue (银行卡号：6217 0012 3456 7890, 借记卡6013…): 16-19 digits
# whatever their check digit, since UnionPay debit numbers do not all carry one. A credit card (信用卡) or an
# English cue still needs Luhn, as every card network's numbers pass it.
# (`卡号` alone is not one: a membership, gift or SIM card has a 卡号 too.)
_BANK_CUES = [c + sep for c in ("银行卡", "银行卡号", "银行卡号码", "储蓄卡", "储蓄卡号", "借记卡", "借记卡号",
                                "工资卡", "工资卡号", "银行账号", "收款卡号", "退款卡号")
              for sep in ("", " ", ":", ": ", "是", "为", "是:", "号") if len(c + sep) <= LOOKBEHIND]
_BANK_CUED = (lead("1-9", "0-9") + after_cue(_BANK_CUES, "1-9")
              + r"(?:[0-9]{15,18}|[0-9]{3}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?)" + NUM_END + "(?![A-Z])")


def cued_bank_card(value: str) -> bool:
    """16-19 digits after a bank-card cue, not one digit over and over, nor a credit card and its CVV
    (`4111 1111 1111 1111 123`: the card detector takes the card)."""
    digits = _card_digits(value)
    if len(digits) == 19 and is_credit_card(digits[:16]):
        return False
    return 16 <= len(digits) <= 19 and len(set(digits)) > 2


# --- UK National Insurance and NHS numbers ---------------------------------------------------------
# National Insurance: two letters, three pairs of digits, a letter A-D (`AB 12 34 56 C`, `ab123456c`).
# HMRC never issues D F I Q U V first, D F I O Q U V second, nor the prefixes BG GB KN NK NT TN ZZ.
_NINO = (lead("A-Za-z", "0-9A-Za-z") + r"[A-Za-z] ?[0-9]{2}( ?)[0-9]{2}\1[0-9]{2}\1 ?[A-Da-d](?![0-9A-Za-z])")
_NINO_NOT_PREFIX = frozenset(("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))


def nino_ok(value: str) -> bool:
    """A National Insurance number HMRC could have issued (letters as above; not all zeros)."""
    compact = value.replace(" ", "").upper()
    first, second = compact[0], compact[1]
    return (first not in "DFIQUV" and second not in "DFIOQUV" and compact[:2] not in _NINO_NOT_PREFIX
            and compact[2:8].strip("0") != "")


# NHS number: ten digits, the last a mod-11 check digit (`401 023 2137`). Grouped 3-3-4 anywhere; ten
# digits in a row only after a cue (a random 10-digit code passes the check one time in eleven).
_NHS_GROUPED = lead("0-9", "0-9") + r"[0-9]{2}([ -])[0-9]{3}\1[0-9]{4}" + NUM_END + r"(?![-.][0-9])"
_NHS_CUES = [c + sep for c in ("NHS", "NHS no", "NHS no.", "NHS number", "NHS number is", "NHS #")
             for sep in (" ", ": ", ":") if len(c + sep) <= LOOKBEHIND]
_NHS_CUED = (lead("0-9", "0-9") + after_cue(_NHS_CUES, "0-9", ignore_case=True) + r"[0-9]{2}([ -]?)[0-9]{3}\1[0-9]{4}"
             + NUM_END)


# CN 400/800 hotlines and US toll-free numbers have the same 3-3-4 shape: a firm's line, not a patient.
_HOTLINES = frozenset((*CN_HOTLINES, *US_TOLL_FREE))


def nhs_ok(value: str) -> bool:
    """Ten digits whose last is the NHS mod-11 check digit (weights 10..2; 11 reads as 0, 10 never)."""
    digits = digits_of(value)
    if len(digits) != 10 or len(set(digits)) == 1 or digits[:3] in _HOTLINES:
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# --- US SSN ---------------------------------------------------------------------------------------
_SSN = lead("0-8", "0-9") + r"(?<![0-9][-.][0-8])[0-9]{2}([- .])[0-9]{2}\1[0-9]{4}" + NUM_END + r"(?![-.][0-9])"
_SSN_CUES = [c + sep for c in ("SSN", "SSN is", "SSN no.", "security number", "security no.", "security #")
             for sep in ("", " ", ":", ": ", "#", " #", " is ") if len(c + sep) <= LOOKBEHIND]
_SSN_CUE = lead("0-8", "0-9") + after_cue(_SSN_CUES, "0-8", ignore_case=True) + r"[0-9]{8}" + NUM_END


def ssn_ok(value: str) -> bool:
    """Area not 000, 666 or 9xx (the pattern), group not 00, serial not 0000."""
    digits = digits_of(value)
    return digits[:3] not in ("000", "666") and digits[3:5] != "00" and digits[5:] != "0000"


# --- split unevenly ----------------------------------------------------------------------------------
# Digits in groups split by line breaks, dots or uneven spaces (`1101 0119 9001 0112 37`,
# `4111  1111  1111  1111`, `138\n1234\n5678`, an ID in threes of six); the validators decide what the digits are.
# Only where the split is uneven (a line break, a dot, two spaces, a short group): the even forms are the
# exact patterns', and a long run of them (`4111 4111 …`) then costs one failed lookahead per group.
# An ID as 6-4-4-4 or 6-12 (`110101 1990 0307 8515`) is checked from its first digit, not in the scan.
_LOOSE = (lead("0-9", "0-9") + _NOT_CODE + r"(?=[0-9]{5} (?:[0-9]{4} [0-9]{4} [0-9]{3}|[0-9]{11})[0-9Xx](?![0-9])"
          + r"|[0-9 .\n-]{0,24}?(?:\n|\.[0-9]|  |[0-9]{2}[ -][0-9]{2,3}(?![0-9])"
          + r"|(?<![0-9])[0-9]{6} [0-9]{5}[0-9Xx](?![0-9])))"
          + r"[0-9 .\n-]{9,26}[0-9][Xx]?" + NUM_END)
_GROUPS = re.compile(r"[0-9]+")
_SEPARATORS = re.compile(r"[ .\n-]+")


@functools.lru_cache(maxsize=64)  # four validators look at the same value in turn
def _loose_digits(value: str, first: int, longest: int = 8) -> str:
    """The digits when every group has 2+ digits (the first `first`+, none over `longest`) and separators
    are 1-3 characters; else "" (the exact patterns find the even forms too: the spans merge)."""
    if value[-1] in "Xx":
        return ""  # only an ID ends in X (loose_id)
    groups = _GROUPS.findall(value)
    if len(groups) < 2 or len(groups) > 6 or len(groups[0]) < first or not all(
            2 <= len(g) <= longest for g in groups[1:]):
        return ""
    seps = set(_SEPARATORS.findall(value))
    if any(len(sep) > 3 for sep in seps):
        return ""
    # One kind of separator: whitespace (any amount up to 3), dots, or dashes; never a mix. A dash or a dot
    # at a line break is that separator with the number wrapped (`138-1234-` / `5678`).
    kinds = {sep.replace("\n", "").strip(" ") if "\n" in sep else sep for sep in seps}
    if not (all(not k or k.isspace() for k in kinds) or kinds <= {"."} or kinds <= {"-"}):
        return ""
    return "".join(groups)


def loose_mobile(value: str) -> bool:
    """A CN mobile split unevenly."""
    digits = _loose_digits(value, 3)
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789" and len(set(digits[3:])) > 1


def loose_us_phone(value: str) -> bool:
    """A North American number broken by a line or wide spaces (`415 555\n2671`): 3-3-4 digits (1 first
    allowed), area code and exchange starting 2-9, a personal area code. The even forms are _US's."""
    groups = _GROUPS.findall(value)
    if groups[0] == "1":
        groups = groups[1:]
    if [len(g) for g in groups] != [3, 3, 4] or groups[0][0] in "01" or groups[1][0] in "01":
        return False
    return _us_phone("".join(groups))


def loose_id(value: str) -> float:
    """A CN resident ID (18 or 15 digits, the 18th may be X) split unevenly: `440301 1990 0101 123X`."""
    # An ID may be broken once anywhere (`110105` / `194912310021` on two lines): groups up to 14 digits.
    if value[-1] in "Xx":
        digits = _loose_digits(value[:-1], 4, 14)
        digits = digits + "X" if len(digits) == 17 else ""
    else:
        digits = _loose_digits(value, 4, 14)
    if len(digits) == 18:
        return cn_id_score(digits) if digits[6:8] in ("18", "19", "20") else 0.0
    return cn_id15_score(digits) if len(digits) == 15 else 0.0


def loose_credit(value: str) -> bool:
    """A credit card split unevenly."""
    digits = _loose_digits(value, 4)
    return bool(digits) and is_credit_card(digits)


def loose_bank(value: str) -> bool:
    """A bank card split unevenly."""
    digits = _loose_digits(value, 4)
    return bool(digits) and is_bank_card(digits)


_NUM = DIGITS + " -"
_LOOSE_ALPHABET = DIGITS + " .\n-Xx"


# --- Hong Kong and Taiwan identity card numbers (label CN_ID) -------------------------------------------
# Hong Kong: one or two letters, six digits and a check digit (0-9 or A), written `A123456(3)`; the
# bracketed form is found anywhere, the bare `A1234563` only after a cue (a product code can look like it).
# Taiwan: a letter, 1/2 (8/9: resident certificates), eight digits, `A123456789`. Both check digits are
# verified, so a random code of the same shape passes one time in eleven (ten).
_HKID_CUES = [c + sep for c in ("身份证", "身份证号", "身份证号码", "身分证", "身分证号", "身分证号码", "证件号", "证件号码",
                                "hkid", "hkid no", "hkid no.", "hkid number", "hkid card", "id card", "id card no",
                                "id card no.", "id card number", "identity card", "identity card no", "id no", "id no.",
                                "id number")
              for sep in ("", " ", ":", ": ", "是", "系", "为", " is ", " is: ", "#") if len(c + sep) <= LOOKBEHIND
              and (sep or not c[0].isascii())]
_HKID_BRACKETED = lead("A-Z", "0-9A-Za-z") + r"[A-Z]?[0-9]{6} ?\([0-9A]\)" + r"(?![0-9A-Za-z])"
_HKID_CUED = (lead("A-Z", "0-9A-Za-z") + after_cue(_HKID_CUES, "A-Z", ignore_case=True) + r"[A-Z]?[0-9]{6}[0-9A]"
              + r"(?![0-9A-Za-z])")
_TWID = lead("A-Z", "0-9A-Za-z") + r"[1289][0-9]{8}" + r"(?![0-9A-Za-z])"
_TW_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"  # A = 10 ... in the order the Ministry numbers them


def hkid_ok(value: str) -> bool:
    """A Hong Kong identity card number whose check digit is right (weights 9..2, mod 11; a single
    letter counts as a leading space worth 36)."""
    body = value.replace("(", "").replace(")", "").replace(" ", "")
    head, check = body[:-1], body[-1]
    if len(head) == 7:
        head = " " + head
    values = [36 if c == " " else ord(c) - 55 if c.isalpha() else int(c) for c in head]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1)))
    expected = (11 - total % 11) % 11
    return check == ("A" if expected == 10 else str(expected))


def twid_ok(value: str) -> bool:
    """A Taiwan national identification number whose check digit is right."""
    code = _TW_LETTERS.index(value[0]) + 10
    digits = [code // 10, code % 10, *map(int, value[1:])]
    return sum(d * w for d, w in zip(digits, (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1))) % 10 == 0

DETECTORS: list[PatternDetector] = [
    # Listed before the cards: an 18-digit number with a plausible birth date is an ID first.
    PatternDetector("CN_ID", _CN_ID, None, DIGITS + "Xx -", validate=cn_id_score, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("CN_ID", _CN_ID15, None, DIGITS, validate=cn_id15_score, required=DIGITS),
    PatternDetector("CN_ID", _HKID_BRACKETED, None, UPPER + DIGITS + "() ", validate=hkid_ok, required=("(",),
                    starts=UPPER),
    PatternDetector("CN_ID", _HKID_CUED, None, UPPER + DIGITS, validate=hkid_ok, required=DIGITS, starts=UPPER),
    PatternDetector("CN_ID", _TWID, None, UPPER + DIGITS, validate=twid_ok, required=DIGITS, starts=UPPER),
    PatternDetector("CN_ID", _LOOSE, None, _LOOSE_ALPHABET, validate=loose_id, required=DIGITS, starts=DIGITS),
    PatternDetector("PHONE", _LOOSE, None, _LOOSE_ALPHABET, validate=loose_mobile, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("PHONE", _LOOSE, None, _LOOSE_ALPHABET, validate=loose_us_phone, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("CREDIT_CARD", _LOOSE, None, _LOOSE_ALPHABET, validate=loose_credit, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("BANK_CARD", _LOOSE, None, _LOOSE_ALPHABET, validate=loose_bank, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("PHONE", _CN_MOBILE, None, DIGITS + " -+()", validate=cn_mobile, required=DIGITS, starts="+018("),
    PatternDetector("PHONE", _CN_LANDLINE, None, DIGITS + " -+()", required=DIGITS, starts="+0("),
    PatternDetector("PHONE", _US, None, DIGITS + " .-+()", validate=_us_phone, required=DIGITS,
                    starts="+(123456789"),
    PatternDetector("CREDIT_CARD", _CARD, None, _NUM, validate=is_credit_card, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("CREDIT_CARD", _CARD_19, None, _NUM, validate=is_credit_card, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("BANK_CARD", _CARD, None, _NUM, validate=is_bank_card, required=DIGITS, starts=DIGITS),
    PatternDetector("BANK_CARD", _BANK_CUED, None, _NUM, validate=cued_bank_card, required=("卡", "账号")),
    PatternDetector("BANK_CARD", _CARD_19, None, _NUM, validate=is_bank_card, required=DIGITS,
                    starts=DIGITS),
    PatternDetector("US_SSN", _SSN, None, _NUM + ".", validate=ssn_ok, required=DIGITS, starts=DIGITS),
    PatternDetector("US_SSN", _SSN_CUE, None, DIGITS, validate=ssn_ok,
                    required=("SSN", "ssn", "Ssn", "ecurity", "ECURITY")),
]

# Run on input only (redaction.redactor INPUT_ONLY_PATTERNS): a National Insurance number starts with two
# letters, so on a reply stream every short word before a digit would be held back. The NHS number after
# its cue comes before the phones (build_detectors): `NHS number 943 476 5919` is a US phone's shape too.
CUED_INPUT_ONLY: list[PatternDetector] = [
    PatternDetector("UK_NHS", _NHS_CUED, None, DIGITS + " -", validate=nhs_ok, required=("NHS", "nhs", "Nhs")),
]


# An IBAN (GB82 WEST 1234 5698 7654 32, DE89370400440532013000): two letters, two check digits and the
# account, in groups of four or run together; its country's length and mod-97 check (python-stdnum) decide.
# Input only: two capitals opening a match would hold every capitalised word on a reply stream.
_IBAN = (lead("A-Z", "0-9A-Za-z") + r"[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![0-9A-Za-z])")


def iban_ok(value: str) -> bool:
    from stdnum import iban

    return iban.is_valid(value)


INPUT_ONLY: list[PatternDetector] = [
    PatternDetector("BANK_CARD", _IBAN, None, UPPER + DIGITS + " ", validate=iban_ok, required=DIGITS, starts=UPPER),
    PatternDetector("UK_NINO", _NINO, None, LETTERS + DIGITS + " ", validate=nino_ok, required=DIGITS,
                    starts=LETTERS),
    PatternDetector("UK_NHS", _NHS_GROUPED, None, DIGITS + " -", validate=nhs_ok, required=DIGITS, starts=DIGITS),
]
