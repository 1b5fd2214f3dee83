"""A speaker's turn that opens with a capitalised word is no name: `Customer: Tokyo, fourteen days.`

The English name rule reads a capitalised word after `customer`, `client`, `patient` ... as a name, as a
form's field would hold one (`Customer: Grace Okafor`). In a call transcript the same words label a
speaker, and the turn's first word is capitalised whatever it is: `Customer: Cleared it.`, `Customer: To
my card?`, `Customer: Porch is fine.`, `Customer: Edinburgh, EH1.`. A one-word name right after a
speaker's label at the start of a line, with the sentence going on after it in small letters, is dropped
unless the word is a given name on the census list (`Customer: Grace, G R A C E` stays). Input side only
(Redactor.fused with the recognizers).
"""

from __future__ import annotations

import re
from typing import Sequence

# A speaker's label opening a line, with an optional time stamp: `Customer: `, `[00:01:12] CALLER: `.
_LABEL = re.compile(r"(?:^|\n)[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?(?i:customer|client|caller|patient|passenger|"
                    r"traveller|traveler|applicant|cardholder|policyholder|insured|member|user|guest|cust|"
                    r"recipient|beneficiary)[^\S\n]*:[^\S\n]*$")
# The sentence going on after the word: a word in small letters on the same line, or a question ...
_GOES_ON = re.compile(r"[,;]?[^\S\n]+[a-z]|[,;]?[^\S\n]*\?|'[a-z]")
# ... unless it says the word is a name (`Zubair is my name`, `Zubair here`, `Zubair, that's my surname`).
_NAMED = re.compile(r"[,;]?[^\S\n]+(?i:is my|is the|here|speaking|calling|from|on the line|that'?s my|that'?s the|"
                    r"with an?|spelled|spelt|as in|like)(?![a-z])")


def turn_openers(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the one-word PERSON matches that open a speaker's turn and go on as a sentence."""
    from .ner.english import name_lists

    first_names = name_lists()[0]
    out = []
    for m in chosen:
        if labels[m.rank] == "PERSON" and " " not in text[m.start:m.end] and text[m.start:m.start + 1].isupper() \
                and text[m.start:m.end].lower() not in first_names and _GOES_ON.match(text, m.end) \
                and not _NAMED.match(text, m.end) \
                and _LABEL.search(text, max(0, m.start - 40), m.start):
            continue
        out.append(m)
    return out
