"""A speaker's turn opening with a capitalised word (redaction.turns): the rules' name after `Customer:`
is dropped when the sentence goes on; a name given alone, spelled or said to be one stays. The real
default pipeline, nothing faked; the rows are written for this table."""

from __future__ import annotations

import pytest

from redaction import DEFAULT_DETECTORS, Redactor, load_layers
from redaction.turns import turn_openers
from tests.support.redaction import names


@pytest.mark.parametrize("text", [
    "Agent: Where to?\nCustomer: Lisbon, ten days.",
    "Agent: Refund goes back to the card.\nCustomer: To my card?",
    "Agent: Clear the cache.\nCustomer: Cleared it. Works now.",
    "Agent: Front door or side gate?\nCustomer: Gate is fine.",
    "[00:03:12] CALLER: Wembley, near the stadium.",
    "Customer: Huggies, size four.",
])
def test_a_turn_that_opens_with_a_word_is_no_name(text):
    assert names(text) == []


@pytest.mark.parametrize("text,expected", [
    ("Agent: Your name?\nCustomer: Zubair is my name", ["Zubair"]),
    ("Agent: Who am I speaking to?\nCustomer: Zubair here", ["Zubair"]),
    ("Agent: Name please.\nCustomer: Grace, G R A C E", ["Grace", "G R A C E"]),  # a given name on the list
    ("Agent: Name please.\nCustomer: Okonjo.", ["Okonjo"]),  # alone in the turn
    ("Customer: Okonjo Adebayo, calling about my bill", ["Okonjo Adebayo"]),  # two words: a name
])
def test_a_name_that_opens_a_turn_stays(text, expected):
    assert names(text) == expected


def test_the_rules_alone_read_the_word_as_a_name():
    # The rule this pass corrects: without it (the output side's detectors, no pass) the word is a name.
    text = "Agent: Where to?\nCustomer: Lisbon, ten days."
    redactor = Redactor(DEFAULT_DETECTORS, ())
    assert [text[s.start:s.end] for s in redactor.find_spans(text)] == ["Lisbon"]
    chosen = redactor.fused(text)
    assert turn_openers(text, chosen, redactor.labels) == []
    assert load_layers()  # the default pipeline above ran with its layers
