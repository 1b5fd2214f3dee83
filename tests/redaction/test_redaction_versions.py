"""A version number is no IP address (redaction.versions), and an IP address stays one.

The real default pipeline, nothing faked. The first rows are written in the shape of PII-free lines from
the round 8 tuning sets that flagged a version as an IP; the second are the customers' own addresses that
the same words must not release.
"""

from __future__ import annotations

import pytest

from redaction import DEFAULT_DETECTORS, Redactor, load_layers
from redaction.versions import versions
from tests.support.redaction import values


@pytest.mark.parametrize("text", [
    "POS 系统从3.2.1.4升级到3.2.2.0以后打印机就不出纸了",
    "Customer confirmed the router is working after the reset. Firmware now 3.0.0.4.",
    "The app version on my phone says 7.12.0.3 but the notes mention 7.12.1.",
    "Agent: Could you read me the firmware version from the status page?\nCustomer: it says 4.0.12.8",
    "we updated to 4.2.0.1 last night and the sync stopped",
    "升级到2.0.1.5之后就闪退",
    "is 6.1.0.2 update out yet?",
    "build 10.4.2.118 crashes on start",  # the rule's own look-behind
    # round 10: a roll-back's `to`; a second number joined to a version; the same said again; a range
    "升级至3.2.1.4后如出现闪退，可在设置中回退至3.2.0.9，数据不会丢失。",
    "we rolled back to 5.1.0.2 and it works",
    "Speaker 1: 这个 release 是 3.2.1.4 还是 3.2.1.5？\nSpeaker 2: 3.2.1.5，hotfix 修了闪退。",
    "Is 10.0.0.0/8 a reserved range? Our pool is 172.16.0.0/12.",
])
def test_a_version_number_is_no_ip_address(text):
    assert values(text, "IP") == []


@pytest.mark.parametrize("text,ip", [
    ("my IP is 82.14.3.5", "82.14.3.5"),
    ("firmware 2.1 and my IP address is 82.14.3.5", "82.14.3.5"),
    ("the firmware version?\nmy IP address: 82.14.3.5", "82.14.3.5"),
    ("the firmware version?\nI log in from 82.14.3.5", "82.14.3.5"),
    ("after the update I logged in from 82.14.3.5", "82.14.3.5"),
    ("login from 82.14.3.5 after the update", "82.14.3.5"),
    ("the firmware is fine but 82.14.3.5 is blocked", "82.14.3.5"),
    ("which version? the one you whitelisted, 82.14.3.5", "82.14.3.5"),
    ("系统提示登录地址 82.14.3.5 异常", "82.14.3.5"),
    ("version 3.2 on the app, and my IP is 82.14.3.5", "82.14.3.5"),  # not joined: an address word between
    ("my laptop IP is 10.4.2.17/24", "10.4.2.17"),  # a device's address with its mask: no network's
    ("our office static block is 82.14.3.0/32", "82.14.3.0"),  # /32: one host
    ("updated to 3.2.1.4 and 203.0.113.45 is now blocked", "203.0.113.45"),  # joined, but blocked after it
    ("请把路由器IP还原为82.14.3.5", "82.14.3.5"),  # an address word before the `to`
    ("please roll back to 82.14.3.5", "82.14.3.5"),
])
def test_an_ip_address_beside_a_word_for_a_version_stays_masked(text, ip):
    assert values(text, "IP") == [ip]


def test_the_rules_alone_read_the_version_as_an_ip():
    # What the pass removes: without it (the rules alone, as the output side runs them), the value is an IP.
    text = "Firmware now 3.0.0.4."
    rules = Redactor(DEFAULT_DETECTORS, ())
    assert [text[m.start:m.end] for m in rules.fused(text)] == ["3.0.0.4"]
    with_layers = Redactor(DEFAULT_DETECTORS, load_layers())
    assert with_layers.fused(text) == []
    assert versions(text, rules.fused(text), rules.labels) == []
