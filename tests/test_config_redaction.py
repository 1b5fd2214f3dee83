"""The redaction settings: order-number patterns, output policy, revealing placeholders.

Defaults, valid values, and errors that name the setting but never echo its value (a pattern may
itself be sensitive, and a message must stay safe to log)."""

import pytest

from redaction import OutputPolicy
from services.config import load_settings
from services.errors import ConfigError


def test_defaults():
    s = load_settings({}, dotenv=False)
    assert s.order_id_patterns == ("ORD-[0-9]{8}",)
    assert s.output_policy == OutputPolicy()
    assert s.output_policy.block == frozenset()
    assert s.reveal_placeholders is True


@pytest.mark.parametrize("raw, patterns", [
    ("ORD-[0-9]{8} TK[0-9]{6}", ("ORD-[0-9]{8}", "TK[0-9]{6}")),
    ("  TK[0-9]{6}  ", ("TK[0-9]{6}",)),
    ("[A-Z]{2}[0-9]{10}\tSO-[0-9]{4}", ("[A-Z]{2}[0-9]{10}", "SO-[0-9]{4}")),
])
def test_order_id_patterns_are_space_separated(raw, patterns):
    assert load_settings({"HUSHDESK_ORDER_ID_PATTERNS": raw}, dotenv=False).order_id_patterns == patterns


@pytest.mark.parametrize("raw, block", [
    ("CN_ID=block", {"CN_ID"}),
    ("cn_id=BLOCK", {"CN_ID"}),
    ("CN_ID=block, PHONE=mask", {"CN_ID"}),
    ("CN_ID=block,EMAIL=block", {"CN_ID", "EMAIL"}),
    ("PHONE=mask", set()),
    ("", set()),
])
def test_output_policy(raw, block):
    s = load_settings({"HUSHDESK_OUTPUT_POLICY": raw}, dotenv=False)
    assert s.output_policy.block == frozenset(block)
    assert s.output_policy.blocks({"CN_ID": 1}) is ("CN_ID" in block)


@pytest.mark.parametrize("raw, value", [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("on", True),
    ("false", False), ("False", False), ("0", False), ("no", False), ("off", False), (" false ", False),
])
def test_reveal_placeholders(raw, value):
    assert load_settings({"HUSHDESK_REVEAL_PLACEHOLDERS": raw}, dotenv=False).reveal_placeholders is value


# `bad`: the part of the value that must not appear in the message (the expected form, such as
# "LABEL=mask|block", is named there on purpose).
@pytest.mark.parametrize("name, value, bad", [
    ("HUSHDESK_OUTPUT_POLICY", "CN_ID=explode", "explode"),
    ("HUSHDESK_OUTPUT_POLICY", "NOPE=block", "NOPE"),
    ("HUSHDESK_OUTPUT_POLICY", "CN_ID", "CN_ID"),
    ("HUSHDESK_OUTPUT_POLICY", "CN_ID=block,SECRETLABEL=block", "SECRETLABEL"),
    ("HUSHDESK_ORDER_ID_PATTERNS", "A[0-9]+", "A[0-9]+"),               # unbounded
    ("HUSHDESK_ORDER_ID_PATTERNS", "ORD-(", "ORD-("),                   # not a regular expression
    ("HUSHDESK_ORDER_ID_PATTERNS", "", None),                           # no pattern at all
    ("HUSHDESK_ORDER_ID_PATTERNS", "   ", None),
    ("HUSHDESK_ORDER_ID_PATTERNS", "ORD-[0-9]{8} A[0-9]*", "A[0-9]*"),  # one bad among good ones
    ("HUSHDESK_ORDER_ID_PATTERNS", "X[0-9]{0,60}", "X[0-9]{0,60}"),     # longer than 48 characters
    ("HUSHDESK_ORDER_ID_PATTERNS", "(?:ORD)?", "(?:ORD)?"),             # can match the empty string
    ("HUSHDESK_REVEAL_PLACEHOLDERS", "maybe", "maybe"),
    ("HUSHDESK_REVEAL_PLACEHOLDERS", "", None),
])
def test_malformed_value_names_the_setting_not_the_value(name, value, bad):
    with pytest.raises(ConfigError) as err:
        load_settings({name: value}, dotenv=False)
    message = err.value.message
    assert message.startswith(f"{name} is malformed")
    assert str(err.value) == message
    if value.strip():
        assert value not in message
    if bad is not None:
        assert bad not in message, f"{bad!r} echoed in {message!r}"
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no chained text


@pytest.mark.parametrize("value", ["A[0-9]+", "ORD-("])
def test_regex_text_is_not_echoed(value):
    with pytest.raises(ConfigError) as err:
        load_settings({"HUSHDESK_ORDER_ID_PATTERNS": value}, dotenv=False)
    assert value not in str(err.value)
    assert "[0-9]" not in str(err.value) and "ORD-" not in str(err.value)
