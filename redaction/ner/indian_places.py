"""Indian postal addresses as written: parts joined by commas, ending in a city and often a six-digit PIN
(`3rd Floor, Peninsula Business Park, Ganpatrao Kadam Marg, Lower Parel, Mumbai 400013`, `H.No. 1187,
Sector 22-B, Chandigarh 160022`). No house number opens them the way the English street rules expect, and
the localities between (Lower Parel, Mahalaxmi) are words on no list, so they are read from the city back.
"""

from __future__ import annotations

import re

_CITIES = ("New Delhi|Navi Mumbai|Mumbai|Bombay|Delhi|Bengaluru|Bangalore|Chennai|Madras|Hyderabad|Secunderabad|"
           "Kolkata|Calcutta|Pune|Ahmedabad|Jaipur|Lucknow|Chandigarh|Kochi|Cochin|Gurgaon|Gurugram|Noida|Thane|"
           "Indore|Bhopal|Nagpur|Surat|Vadodara|Coimbatore|Mysuru|Mysore|Visakhapatnam|Patna|Kanpur|Ludhiana|"
           "Nashik|Thiruvananthapuram|Trivandrum|Mangaluru|Mangalore|Bhubaneswar|Guwahati|Dehradun|Ranchi|"
           "Raipur|Agra|Varanasi|Amritsar|Madurai|Ghaziabad|Faridabad")
_STATES = ("Maharashtra|Karnataka|Tamil Nadu|Telangana|Kerala|West Bengal|Gujarat|Rajasthan|Uttar Pradesh|"
           "Haryana|Punjab|Delhi|Andhra Pradesh|Madhya Pradesh|Bihar|Odisha|Assam|Goa")
# The city, its state, its PIN (six digits, the first 1-8, often written 400 013 or after a dash).
_END = re.compile(rf"(?<![A-Za-z])(?:{_CITIES})(?:,? (?:{_STATES}))?(?:[ ,]*-?[ ]?([1-8][0-9]{{2}} ?[0-9]{{3}}))?"
                  r"(?![A-Za-z0-9])")
# Words of an Indian address's parts.
_PART_WORD = re.compile(r"(?<![A-Za-z])(?i:road|rd|marg|nagar|cross|main|layout|colony|sector|phase|block|"
                        r"apartments?|apts|towers?|society|chowk|ba[z]aa?r|lane|street|enclave|vihar|puram|palya|"
                        r"park|floor|flat|house|h\.?\s?no|door|plot|building|bldg|complex|residency|heights|gardens|"
                        r"extension|extn|stage|peth|gali|wing|near|opp|opposite|behind)(?![A-Za-z])|[0-9]")
# Where an address may open inside the text before it (`office at 3rd Floor`, `address: H.No. 4-21`).
_OPENING = re.compile(r"(?:(?i:flat|door|house|plot|shop|h\.?\s?no|no|near|opp|opposite|behind)\b|#|[0-9]|[A-Z])")
# A word that ends a sentence's part before the address (`never received it at`, a label: `Address:`, `Address -`).
_LOWER_WORD = re.compile(r"(?<![A-Za-z0-9.])(?!(?:no|near|opp|opposite|behind|number|of|and|the)\b)[a-z]+(?![A-Za-z])"
                         r"|[A-Za-z]+:|[A-Za-z]+ [-–](?= )")
_MAX_PARTS = 6
_MAX_PART = 45
# Said on a call and written down in lower case (`house number 1127, gali number 3, near gurdwara singh sabha,
# model town, ludhiana three oh two oh oh four`): the city in lower case, the PIN in digits or number words, and
# every part before it up to the words that open the turn (yes it is, sir, the address is).
_LOWER_END = re.compile(rf"(?<![A-Za-z])(?:{_CITIES.lower()})(?:,? (?:{_STATES.lower()}))?"
                        r"(?:[ ,]*-?[ ]?([1-8][0-9]{2} ?[0-9]{3})|,? ((?:(?:zero|oh|one|two|three|four|five|six|seven|"
                        r"eight|nine|double|triple|hundred|and)[ -]?){3,12}))?(?![A-Za-z0-9])")
_TURN_WORDS = re.compile(r"(?<![a-z])(?:yes|yeah|ok|okay|sir|madam|ma'am|it|is|its|it's|my|address|the|please|"
                         r"confirm|deliver|delivery|send|to|at|and|this|that|so|um|uh|caller|customer)(?![a-z])")
_LOWER_OPENING = re.compile(r"(?:flat|house|plot|door|shop|old|new|h\.?\s?no|no|number|block|near|opposite|opp|behind)"
                            r"(?![a-z])|[0-9]")


def _part_before(text: str, start: int) -> tuple[int, int, int] | None:
    """The part joined by a comma right before text[start:] (at most _MAX_PART characters, within its line):
    its start, its comma and its line's start; None when no comma joins one."""
    comma = text.rfind(",", max(0, start - 3), start)
    if comma < 0 or text[comma + 1:start].strip():
        return None
    line = text.rfind("\n", 0, comma) + 1
    return max(text.rfind(",", 0, comma) + 1, line, comma - _MAX_PART), comma, line


def indian_addresses(text: str) -> list[tuple[int, int, str, float]]:
    """ADDRESS spans of written Indian addresses in `text`."""
    out: list[tuple[int, int, str, float]] = []
    if "," not in text:
        return out
    for m in _END.finditer(text):
        start, worded, parts = m.start(), 0, 0
        while parts < _MAX_PARTS:
            part = _part_before(text, start)
            if part is None:
                break  # the part before is not joined by a comma
            lo, comma, _ = part
            # The part's tail after any lower-case word of a sentence (`office at 3rd Floor`: 3rd Floor).
            cut = lo
            for w in _LOWER_WORD.finditer(text, lo, comma):
                cut = w.end()
            opening = _OPENING.search(text, cut, comma)
            if opening is None:
                break
            worded += bool(_PART_WORD.search(text, opening.start(), comma))
            parts += 1
            start = opening.start()
            if text[lo:start].strip():
                break  # the address opened inside this part
        if parts and worded and (m.group(1) is not None or parts >= 2):
            out.append((start, m.end(), "ADDRESS", 0.8))
    for m in _LOWER_END.finditer(text):
        start, parts, worded = m.start(), 0, 0
        while parts < _MAX_PARTS:
            before = _part_before(text, start)
            if before is None:
                break
            lo, comma, line = before
            label = text.find(":", lo, comma)
            lo = label + 1 if label >= 0 else lo  # a speaker's label opens the turn
            part = text[lo:comma]
            if not part.strip() or any(c.isupper() for c in part):
                break
            turn = [w.end() for w in _TURN_WORDS.finditer(text, lo, comma)]
            opens = lo == line or label >= 0 or turn or text.rfind(",", 0, lo) < line
            first = _LOWER_OPENING.search(text, turn[-1] if turn else lo, comma)
            if opens and first is None:
                break  # the turn's own words, no part of an address
            begin = first.start() if opens else lo + len(part) - len(part.lstrip())
            worded += bool(_PART_WORD.search(text, begin, comma))
            parts += 1
            start = begin
            if opens:
                break
        if parts >= 2 and worded:
            out.append((start, m.end(), "ADDRESS", 0.8))
    return out
