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


def indian_addresses(text: str) -> list[tuple[int, int, str, float]]:
    """ADDRESS spans of written Indian addresses in `text`."""
    out: list[tuple[int, int, str, float]] = []
    if "," not in text:
        return out
    for m in _END.finditer(text):
        start, worded, parts = m.start(), 0, 0
        while parts < _MAX_PARTS:
            comma = text.rfind(",", max(0, start - 3), start)
            if comma < 0 or text[comma + 1:start].strip():
                break  # the part before is not joined by a comma
            lo = max(text.rfind(",", 0, comma) + 1, text.rfind("\n", 0, comma) + 1, comma - _MAX_PART)
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
    return out
