"""Properties on the labelled dataset (bench.pii_data): streaming equals batch and never leaks early, and
every detector keeps the contract the stream relies on (bounded matches over a declared alphabet)."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.pii_data import Sample, samples
from redaction import DEFAULT_DETECTORS, Placeholders, Redactor, StreamRedactor, normalise, output_detectors, redact_output
from redaction.redactor import INPUT_ONLY_PATTERNS
from tests.support.redaction import split_at

# The stream runs the output detector set; the invariant is against its batch equivalent.
find_spans = Redactor(DEFAULT_DETECTORS, ()).output.find_spans

N = 150
DATA: list[Sample] = samples("dev", n=N) + samples("holdout", n=N)


def batch(text: str) -> tuple[str, dict[str, int]]:
    result = redact_output(text, Placeholders())
    return result.text, result.counts


def hidden_gold(sample: Sample, expected: str) -> list[str]:
    """The gold PII values that the batch redaction hides (a value it misses is not the stream's to hide)."""
    values = {sample.text[s:e] for s, e, _ in sample.spans}
    return sorted(v for v in values if v and v not in expected)


def stream_checked(chunks: list[str], expected: str, secrets: list[str]) -> tuple[str, dict[str, int]]:
    """Stream chunks through a fresh StreamRedactor; after every feed the output so far must be a prefix
    of the batch output and hold no hidden gold value."""
    redactor = StreamRedactor(Placeholders())
    out = ""
    for i, chunk in enumerate(chunks):
        out += redactor.feed(chunk)
        if not expected.startswith(out):
            raise AssertionError(f"after feed {i} ({chunk!r}) output {out!r} is not a prefix of {expected!r}")
        for secret in secrets:
            assert secret not in out, (i, secret)
    out += redactor.flush()
    return out, redactor.counts


def test_dataset_is_what_the_properties_assume():
    assert len(DATA) == 2 * N
    assert sum(bool(s.spans) for s in DATA) > N  # most samples hold PII
    assert all(s.text[a:b] for s in DATA for a, b, _ in s.spans)


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_every_two_chunk_split_equals_batch(split):
    data = DATA[:N] if split == "dev" else DATA[N:]
    for k, sample in enumerate(data):
        text = sample.text
        expected, counts = batch(text)
        secrets = hidden_gold(sample, expected)
        for cut in range(len(text) + 1):
            out, got = stream_checked([text[:cut], text[cut:]], expected, secrets)
            assert out == expected, (split, k, cut, text)
            assert got == counts, (split, k, cut, text)


def test_single_character_feeding_never_leaks_early():
    for k, sample in enumerate(DATA):
        text = sample.text
        expected, counts = batch(text)
        out, got = stream_checked(list(text), expected, hidden_gold(sample, expected))
        assert out == expected, (k, text)
        assert got == counts, (k, text)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_random_splits_of_dataset_samples_equal_batch(data):
    sample = data.draw(st.sampled_from(DATA), label="sample")
    text = sample.text
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=12), label="cuts")
    expected, counts = batch(text)
    out, got = stream_checked(split_at(text, cuts), expected, hidden_gold(sample, expected))
    assert out == expected
    assert got == counts


# --- the detector contract ---------------------------------------------------------------------------
_CONTRACT_POOL = (
    "0123456789" "0123456789" "abcxyzEGXAPSTNMrs"
    "客户张先生路号市区省王李欧阳姓名联系人收件村组楼室栋京粤沪广东深圳南山科技中文的我在"
    "０１２３ＡＢｘ＠：（）－＋"
    "\u200b"
    "@.-:()+#· "
)


# Values that do match, so that random text around and between them exercises the match ends.
_CONTRACT_FRAGMENTS = [
    "13812345678", "+86 138 1234 5678", "(0755)8888-1234", "(415) 555-2671", "110105199003071239",
    "4111 1111 1111 1111", "abc@x.com", "192.168.1.23", "fe80::1", "ORD-12345678", "E12345678",
    "passport no. ", "SSN: 123456789", "123-45-6789", "粤B·D12345", "广东省深圳市南山区科技南路18号", "5号楼1203室",
    "王家村7组64号", "客户张伟先生", "姓名：", "Mr. John Smith", "Dear ", "1600 Amphitheatre Parkway",
    "Springfield, IL 62704", "Apt 4B",
]


def check_contract(text: str) -> int:
    """Check every detector's match at every start of text and of its normalised form; return how many."""
    seen = 0
    for candidate in {text, normalise(text).text}:
        for det in DEFAULT_DETECTORS:
            search = det.regex.search
            m = search(candidate)
            while m is not None:
                value = m.group()
                assert len(value) <= det.max_len, (det.label, det.pattern[:60], value)
                assert set(value) <= det.alphabet, (det.label, value, set(value) - det.alphabet)
                seen += 1
                m = search(candidate, m.start() + 1)
    return seen


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CONTRACT_POOL, max_size=80))
def test_every_match_fits_max_len_and_alphabet(text):
    check_contract(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=_CONTRACT_POOL, max_size=6), st.sampled_from(_CONTRACT_FRAGMENTS)),
                max_size=8))
def test_every_match_near_real_values_fits_max_len_and_alphabet(parts):
    check_contract("".join(parts))


def test_contract_fragments_do_match():
    assert check_contract("".join(_CONTRACT_FRAGMENTS)) >= len(_CONTRACT_FRAGMENTS)


def test_max_len_bounds():
    for det in DEFAULT_DETECTORS:
        # What a stream may hold back; detectors that never run on a stream (digits read out in words
        # are up to 16 words) only bound their search.
        limit = 336 if det.pattern in INPUT_ONLY_PATTERNS else 128 if det.label == "EMAIL" else 64
        assert det.max_len <= limit, (det.label, det.max_len)
    assert all(d.max_len <= 128 for d in output_detectors(DEFAULT_DETECTORS))


# --- invisible characters ----------------------------------------------------------------------------
# Models and users put zero-width characters anywhere; normalisation removes them for detection, but the
# redacted text keeps every original character outside a span, streamed or not.
_INVISIBLES = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])


@settings(max_examples=200, deadline=None)
@example(sample=Sample("你好。\u200b再见。", (), "zh"), inserts=[], cuts=[3])
@example(sample=Sample("手机13812345678。谢谢", ((2, 13, "PHONE"),), "zh"), inserts=[(14, "\u200b")], cuts=[14])
@given(sample=st.sampled_from(DATA),
       inserts=st.lists(st.tuples(st.integers(0, 200), _INVISIBLES), max_size=6),
       cuts=st.lists(st.integers(0, 220), max_size=8))
def test_random_splits_with_invisible_characters_equal_batch(sample, inserts, cuts):
    text = sample.text
    for at, ch in sorted(inserts, reverse=True):
        at = min(at, len(text))
        text = text[:at] + ch + text[at:]
    expected, counts = batch(text)
    secrets = {sample.text[s:e] for s, e, _ in sample.spans} | {text[s.start:s.end] for s in find_spans(text)}
    out, got = stream_checked(split_at(text, [min(c, len(text)) for c in cuts]), expected,
                              sorted(v for v in secrets if v and v not in expected))
    assert out == expected
    assert got == counts


# --- hidden, reordered and look-alike characters (issue 11) --------------------------------------------
# Keycaps, variation selectors, tags, combining marks, Hangul fillers, bidi controls (the stream holds
# while a right-to-left run can still reach the cut), and Cyrillic/Greek look-alikes swapped for letters.
_DECORATIONS = st.sampled_from([
    "\ufe0f\u20e3", "\ufe0f", "\u20e3", "\U000e0020", "\U000e0041", "\u0301", "\u3164", "\uffa0",
    "\u202e", "\u202c", "\u2067", "\u2069", "\u202b", "\u2066", "\u200e", "\u200f", "\n",
])
_LOOK_ALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u03bf", "c": "\u0441", "p": "\u0440", "x": "\u0445",
                "i": "\u0456", "y": "\u0443", "A": "\u0391", "O": "\u041e"}


def _reversed_in_override(text: str, start: int, length: int) -> str:
    """text with text[start:start + length] stored reversed inside an RLO ... PDF, as an attacker would."""
    return text[:start] + "\u202e" + text[start:start + length][::-1] + "\u202c" + text[start + length:]


@settings(max_examples=250, deadline=None)
@example(sample=Sample("手机13812345678。谢谢", ((2, 13, "PHONE"),), "zh"), inserts=[], swaps=[],
         override=(2, 11), cuts=[3, 9])
@example(sample=Sample("email zhang.wei@example.com ok", ((6, 27, "EMAIL"),), "en"), inserts=[],
         swaps=[16, 18], override=None, cuts=[20])
@example(sample=Sample("手机13812345678", ((2, 13, "PHONE"),), "zh"),
         inserts=[(3, "\ufe0f\u20e3"), (4, "\U000e0020"), (9, "\u0301")], swaps=[], override=None, cuts=[5])
@given(sample=st.sampled_from(DATA),
       inserts=st.lists(st.tuples(st.integers(0, 200), _DECORATIONS), max_size=6),
       swaps=st.lists(st.integers(0, 200), max_size=6),
       override=st.none() | st.tuples(st.integers(0, 200), st.integers(1, 40)),
       cuts=st.lists(st.integers(0, 260), max_size=8))
def test_random_splits_with_hidden_and_look_alike_characters_equal_batch(sample, inserts, swaps, override, cuts):
    text = sample.text
    for at in swaps:  # look-alikes first: positions still match the sample's
        at = min(at, len(text))
        if text[at:at + 1] in _LOOK_ALIKES:
            text = text[:at] + _LOOK_ALIKES[text[at]] + text[at + 1:]
    if override is not None:
        text = _reversed_in_override(text, min(override[0], len(text)), override[1])
    for at, ch in sorted(inserts, reverse=True):
        at = min(at, len(text))
        text = text[:at] + ch + text[at:]
    expected, counts = batch(text)
    secrets = {text[s.start:s.end] for s in find_spans(text)}
    out, got = stream_checked(split_at(text, [min(c, len(text)) for c in cuts]), expected,
                              sorted(v for v in secrets if v and v not in expected))
    assert out == expected
    assert got == counts
