"""Malaysian postal addresses as written: a house number, a road (Jalan, Lorong, Persiaran...), often a
housing estate (Taman, Bandar, Kampung, Seksyen), a five-digit postcode and a town, and the state
(`No. 23, Jalan SS 15/4B, 47500 Subang Jaya, Selangor`, `18 Jalan Sultan Ismail, 50250 Kuala Lumpur`,
`Lot 5, Lorong Bunga Raya 2, Taman Melawati, 53100 Kuala Lumpur`). The road's name is Malay words and codes
on no English list (so a town such as Subang Jaya reads as a person's name to the name rules), and no English
street word ends it: it is read from the Malay road word on. Taken when a house number opens it or a
postcode follows it.
"""

from __future__ import annotations

import re

_STATES = (r"Selangor|Johor|Johore|Kedah|Kelantan|Melaka|Malacca|Negeri Sembilan|Pahang|Perak|Perlis|Pulau Pinang|"
           r"Penang|Sabah|Sarawak|Terengganu|Kuala Lumpur|Putrajaya|Labuan|W\.P\. Kuala Lumpur|"
           r"Wilayah Persekutuan(?: Kuala Lumpur)?")
_ROAD = r"(?:Jalan|Jln\.?|Lorong|Lrg\.?|Persiaran|Lebuh|Lebuhraya|Lengkok|Lingkaran|Laluan|Changkat|Lintang)"
_ESTATE = r"(?:Taman|Tmn\.?|Bandar|Bdr\.?|Kampung|Kg\.?|Seksyen|Section|Desa|Bukit|Pusat|Pangsapuri|Kondominium)"
# A word of a name: a capital or a digit first (Mawar, SS, 15/4B, 3, Tun), not an English word that goes on
# with the sentence (`5 Jalan Mawar Please call`, `50250 Kuala Lumpur Thanks`).
_NOT_WORD = (r"(?!(?:Please|Pls|Thanks|Thank|Tq|Thx|The|And|But|Or|Is|Are|Was|Will|Can|Could|Should|To|For|From|At|On|In|"
             r"By|Call|Contact|Tel|Phone|HP|Email|Attn|Regards|Sorry|Ok|OK|Okay|I|We|You|He|She|It|They)(?![A-Za-z]))")
_WORD = _NOT_WORD + r"[A-Z0-9][A-Za-z0-9/'’-]*"
_TOWN_WORD = _NOT_WORD + r"[A-Z][A-Za-z]+"
_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9-])"
    rf"(?P<house>(?:(?:No\.?|Lot|Unit|Blok|Blk|Block)[ ]?)?(?:[A-Z]-)?[0-9]{{1,5}}[A-Z]?(?:-[0-9A-Z]+)*,?[ ]+)?"
    rf"{_ROAD}(?:[ ]+{_WORD}){{1,5}}"
    rf"(?:,[ ]*{_ESTATE}(?:[ ]+{_WORD}){{1,4}})?"
    # a locality or two before the postcode (Damansara Utama), taken only when the postcode follows
    rf"(?:(?:,[ ]*{_WORD}(?:[ ]+{_WORD}){{0,3}}){{0,2}}"
    rf"(?P<code>,[ ]*[0-9]{{5}}[ ]+{_TOWN_WORD}(?:[ ]+{_TOWN_WORD}){{0,3}})(?:,[ ]*(?:{_STATES}))?"
    rf"|,[ ]*(?:{_STATES}))?"
    r"(?![A-Za-z0-9])"
)

_ROAD_SEEN = re.compile(rf"(?<![A-Za-z]){_ROAD} [A-Z0-9]")


def malaysian_addresses(text: str) -> list[tuple[int, int, str, float]]:
    """ADDRESS spans of written Malaysian addresses in `text`."""
    if _ROAD_SEEN.search(text) is None:  # looked for first: a text without a road word is not scanned
        return []
    return [(m.start(), m.end(), "ADDRESS", 0.8) for m in _ADDRESS.finditer(text)
            if m.group("house") is not None or m.group("code") is not None]
