"""The labelled PII dataset (bench.pii_data) and the quality scorer (bench.quality), without the detectors."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter

import faker.generator
import pytest

from bench import quality
from bench.pii_data import LABELS, SPLITS, Sample, cn_id_check, samples, templates

N = 2000


@pytest.fixture(scope="module")
def data() -> dict[str, list[Sample]]:
    return {split: samples(split, N) for split in SPLITS}


def gold_values(data: list[Sample], label: str) -> list[tuple[Sample, int, int, str]]:
    return [(s, a, b, s.text[a:b]) for s in data for a, b, lab in s.spans if lab == label]


def ascii_digits(value: str) -> str:
    """Digits of value, full-width folded."""
    return "".join(str(int(ch)) for ch in value if ch.isdigit())


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --- determinism --------------------------------------------------------------------------------------

@pytest.mark.parametrize("split", SPLITS)
def test_same_arguments_same_samples(split):
    assert samples(split, 300) == samples(split, 300)
    assert samples(split, 300, seed=7) == samples(split, 300, seed=7)


@pytest.mark.parametrize("split", SPLITS)
def test_other_seed_other_samples(split):
    a, b = samples(split, 300), samples(split, 300, seed=7)
    assert sum(x.text != y.text for x, y in zip(a, b)) > 250


def test_splits_differ_and_bad_arguments_refused():
    assert [s.text for s in samples("dev", 50)] != [s.text for s in samples("holdout", 50)]
    with pytest.raises(ValueError):
        samples("test", 10)
    with pytest.raises(ValueError):
        samples("dev", -1)
    assert samples("dev", 0) == []


def test_global_random_state_untouched():
    state, faker_state = random.getstate(), faker.generator.random.getstate()
    samples("dev", 200)
    samples("holdout", 200)
    assert random.getstate() == state
    assert faker.generator.random.getstate() == faker_state


# --- gold spans ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("split", SPLITS)
def test_spans_well_formed(data, split):
    for s in data[split]:
        assert s.lang in ("zh", "en", "mixed")
        assert isinstance(s.spans, tuple)
        prev_end = 0
        for start, end, label in s.spans:
            assert label in LABELS
            assert 0 <= prev_end <= start < end <= len(s.text), (s.text, s.spans)
            value = s.text[start:end]
            assert value == value.strip(), (s.text, value)
            prev_end = end


@pytest.mark.parametrize("split", SPLITS)
def test_every_label_well_represented(data, split):
    counts = Counter(label for s in data[split] for *_, label in s.spans)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= 30, counts


@pytest.mark.parametrize("split", SPLITS)
def test_quarter_pii_free_and_lengths(data, split):
    share = sum(not s.spans for s in data[split]) / N
    assert 0.22 <= share <= 0.28
    assert all(20 <= len(s.text) <= 250 for s in data[split])
    assert set(Counter(s.lang for s in data[split])) == {"zh", "en", "mixed"}


@pytest.mark.parametrize("split", SPLITS)
def test_value_formats(data, split):
    d = data[split]
    phones = [v for *_, v in gold_values(d, "PHONE")]
    assert any(re.fullmatch(r"1[3-9][0-9]{9}", v) for v in phones)
    assert any(v.startswith(("+86", "0086", "86")) for v in phones)
    assert any(re.search(r"[０-９]", v) for v in phones)  # full-width digits
    assert any(v.lstrip("(").startswith("0") for v in phones)  # landlines
    assert any(re.search(r"[0-9]{3}\)? ?[0-9]{3}[-. ][0-9]{4}$", v) for v in phones)  # US

    ids = [v for *_, v in gold_values(d, "CN_ID")]
    compact = [v.replace(" ", "").upper() for v in ids]
    assert all(re.fullmatch(r"[0-9]{17}[0-9X]", v) for v in compact)
    assert any(v.endswith("X") for v in compact)
    near = sum(cn_id_check(v[:17]) != v[17] for v in compact) / len(compact)
    assert 0.03 <= near <= 0.2  # ~10% near-valid (wrong check character), still gold CN_ID

    banks = [ascii_digits(v) for *_, v in gold_values(d, "BANK_CARD")]
    assert all(v.startswith("62") and 16 <= len(v) <= 19 for v in banks)
    assert any(luhn_ok(v) for v in banks) and any(not luhn_ok(v) for v in banks)
    cards = [v for *_, v in gold_values(d, "CREDIT_CARD")]
    assert all(luhn_ok(ascii_digits(v)) and len(ascii_digits(v)) in (15, 16) for v in cards)
    assert any(" " in v or "-" in v for v in cards) and any(ascii_digits(v) == v for v in cards)
    assert {ascii_digits(v)[0] for v in cards} >= {"3", "4", "6"}

    emails = [(s.text, a, b, v) for s, a, b, v in gold_values(d, "EMAIL")]
    assert all(re.fullmatch(r"[^@＠\s]+[@＠][A-Za-z0-9.-]+\.[A-Za-z]{2,}", v) for *_, v in emails)
    assert any("＠" in v for *_, v in emails)
    assert any(re.match(r"[\u4e00-\u9fff]", t[b:b + 1]) and re.match(r"[\u4e00-\u9fff]", t[a - 1:a])
               for t, a, b, _ in emails)  # glued to Chinese on both sides

    ips = [v for *_, v in gold_values(d, "IP")]
    assert any(re.fullmatch(r"[0-9.]+", v) for v in ips) and any(":" in v for v in ips)
    assert any("::" in v for v in ips)

    assert all(re.fullmatch(r"(?i:ord)-[0-9]{8}", v) for *_, v in gold_values(d, "ORDER_ID"))

    for s, a, _, v in gold_values(d, "PASSPORT"):
        if not re.fullmatch(r"[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}", v):
            assert re.search(r"(?i:passport)|护照", s.text[max(0, a - 14):a]), s.text  # others only with a cue

    plates = [v for *_, v in gold_values(d, "LICENSE_PLATE")]
    assert all(re.fullmatch(r"[\u4e00-\u9fff][A-HJ-NP-Z][· ]?[A-HJ-NP-Z0-9]{5,6}", v) for v in plates)
    assert any("·" in v for v in plates)
    assert any(len(v.replace("·", "").replace(" ", "")) == 8 for v in plates)  # new-energy plates

    addresses = [v for *_, v in gold_values(d, "ADDRESS")]
    assert any(re.match(r"[0-9]", v) for v in addresses) and any(re.search(r"[区县]", v) for v in addresses)

    for v in (v for *_, v in gold_values(d, "US_SSN")):
        m = re.fullmatch(r"([0-9]{3})[- ]([0-9]{2})[- ]([0-9]{4})", v)
        assert m and m[1] not in ("000", "666") and m[1][0] != "9" and m[2] != "00" and m[3] != "0000"


_CUES_BEFORE = ("收件人：", "收件人", "姓名：", "联系人：", "我叫", "我是", "客户", "用户", "车主", "持卡人",
                "寄件人", "申请人", "负责人", "经办人", "收货人", "家属", "请联系", "请", "我姓", "开给",
                "Dear ", "Mr. ", "Mrs. ", "Ms. ", "Dr. ", "Mr ", "Mrs ", "I'm ", "name is ", "Name: ",
                "Customer ", "customer ", "Attn: ", "This is ", "Applicant: ", "Contact person: ",
                "regards,\n", "收件人")
_CUES_AFTER = ("先生", "女士", "小姐", "经理", "老师", "同学")


@pytest.mark.parametrize("split", SPLITS)
def test_names_have_cues(data, split):
    names = gold_values(data[split], "PERSON")
    assert any(v[:2] in ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "尉迟", "令狐", "皇甫", "公孙")
               for *_, v in names)
    # A surname alone before a title (吴女士) or after 我姓 names nobody: never gold (redaction.surnames).
    assert not any(len(v) == 1 and (s.text[b:].startswith(_CUES_AFTER) or s.text[:a].endswith("我姓"))
                   for s, a, b, v in names)
    assert not any(re.fullmatch(r"[A-Z][a-z'-]+", v) and s.text[:a].endswith(("Mr. ", "Mrs. ", "Ms. ", "Dr. ", "Mr ", "Mrs "))
                   for s, a, b, v in names)
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", v) for *_, v in names)
    for s, a, b, v in names:
        assert s.text[:a].endswith(_CUES_BEFORE) or s.text[b:].startswith(_CUES_AFTER), s.text


# --- templates ----------------------------------------------------------------------------------------

def _frame(template: str) -> str:
    return re.sub(r"\[\[.*?\]\]", "", re.sub(r"\{\w+\}", "{}", template))


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def test_templates_per_split():
    for split in SPLITS:
        ts = templates(split)
        assert len(ts) >= 40
        assert 0.2 <= sum(free for *_, free in ts) / len(ts) <= 0.4


def test_dev_and_holdout_share_no_template():
    dev, hold = templates("dev"), templates("holdout")
    assert not {t for _, t, _ in dev} & {t for _, t, _ in hold}
    dev_frames = [_trigrams(_frame(t)) for _, t, _ in dev]
    for _, t, _ in hold:
        grams = _trigrams(_frame(t))
        closest = max(len(grams & d) / len(grams | d) for d in dev_frames)
        assert closest < 0.5, t


def _skeleton(s: Sample) -> str:
    """The text with gold values cut out and digits collapsed: what is left of the template."""
    out, at = [], 0
    for a, b, label in s.spans:
        out += [s.text[at:a], f"<{label}>"]
        at = b
    out.append(s.text[at:])
    return re.sub(r"[0-9]+", "0", "".join(out))


def test_holdout_texts_differ_from_dev(data):
    dev = {_skeleton(s) for s in data["dev"]}
    hold = [_skeleton(s) for s in data["holdout"]]
    assert sum(h in dev for h in hold) / len(hold) < 0.01
    # cut down to the literal words (no slot values at all), the splits still barely meet
    words = lambda s: frozenset(re.findall(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{4,}", _skeleton(s)))  # noqa: E731
    dev_words = {words(s) for s in data["dev"] if s.spans}
    assert sum(words(s) in dev_words for s in data["holdout"] if s.spans) / len(hold) < 0.02


# --- the scorer ---------------------------------------------------------------------------------------

class _P:
    def __init__(self, start: int, end: int, label: str):
        self.start, self.end, self.label = start, end, label


TINY = [
    Sample("call 13812345678 or mail a@b.co ok", ((5, 16, "PHONE"), (25, 31, "EMAIL")), "en"),
    Sample("订单ORD-12345678，张伟先生", ((2, 14, "ORDER_ID"), (15, 17, "PERSON")), "zh"),
    Sample("价格1,299元", (), "zh"),
    Sample("好的谢谢你呀", (), "zh"),
    Sample("Mr. Smith here", ((4, 9, "PERSON"),), "en"),
]
TINY_PREDS = {
    TINY[0].text: [_P(5, 10, "PHONE"), _P(25, 31, "PHONE")],  # half the phone; the e-mail as a phone
    TINY[1].text: [_P(2, 14, "ORDER_ID"), _P(14, 16, "PERSON"), _P(18, 19, "PERSON")],  # 张 of 张伟; 生
    TINY[2].text: [_P(2, 7, "PHONE")],  # a price flagged
}


def test_tiny_sample_gold_is_what_it_says():
    assert [TINY[0].text[a:b] for a, b, _ in TINY[0].spans] == ["13812345678", "a@b.co"]
    assert [TINY[1].text[a:b] for a, b, _ in TINY[1].spans] == ["ORD-12345678", "张伟"]
    assert TINY[4].text[4:9] == "Smith"


def test_score_by_hand():
    r = quality.score(TINY, lambda text: TINY_PREDS.get(text, []))
    pl = r["per_label"]
    # PHONE: 1 gold, hit; 3 predicted, 1 of them on a PHONE gold
    assert pl["PHONE"] == {"gold": 1, "tp": 1, "predicted": 3, "predicted_ok": 1, "precision": 1 / 3,
                           "recall": 1.0, "f1": pytest.approx(0.5)}
    # EMAIL: found only as a PHONE: per-label miss, no EMAIL predictions
    assert pl["EMAIL"] == {"gold": 1, "tp": 0, "predicted": 0, "predicted_ok": 0, "precision": None,
                           "recall": 0.0, "f1": 0.0}
    assert pl["ORDER_ID"]["precision"] == pl["ORDER_ID"]["recall"] == 1.0
    # PERSON: 张伟 hit (overlap), Smith missed; 2 predicted, 1 on a PERSON gold
    assert (pl["PERSON"]["tp"], pl["PERSON"]["gold"], pl["PERSON"]["predicted_ok"], pl["PERSON"]["predicted"]) \
        == (1, 2, 1, 2)
    assert pl["PERSON"]["f1"] == pytest.approx(0.5)
    assert "CN_ID" not in pl  # neither gold nor predicted
    # any label: 4 of 5 gold spans touched (all but Smith); 4 of 6 predictions touch some gold
    assert r["any"]["recall"] == 4 / 5
    assert r["any"]["precision"] == 4 / 6
    # leaks: 6 phone chars (11 - 5 covered), 1 of 张伟, 5 of Smith; 11 + 6 + 12 + 2 + 5 = 36 gold chars
    assert (r["leaked_chars"], r["pii_chars"]) == (12, 36)
    assert r["leaked_share"] == 12 / 36
    assert (r["pii_free"], r["pii_free_flagged"], r["pii_free_flagged_share"]) == (2, 1, 0.5)
    kinds = Counter((e["kind"], e["label"], e["value"]) for e in r["errors"])
    assert kinds == Counter({("FN", "EMAIL", "a@b.co"): 1, ("FP", "PHONE", "a@b.co"): 1,
                             ("FN", "PERSON", "Smith"): 1, ("FP", "PERSON", "生"): 1,
                             ("FP", "PHONE", "1,299"): 1})
    assert r["error_count"] == 5
    assert len(quality.score(TINY, lambda text: TINY_PREDS.get(text, []), max_errors=2)["errors"]) == 2


def test_score_cli_one_process(monkeypatch):
    calls = []

    def fake_run(args, *, input, cwd, **kw):
        calls.append((args, cwd))
        out = []
        for line in input.decode("utf-8").splitlines():
            text = json.loads(line)["text"]
            out.append(json.dumps({"spans": [{"start": p.start, "end": p.end, "label": p.label}
                                             for p in TINY_PREDS.get(text, [])]}))
        return subprocess.CompletedProcess(args, 0, ("\n".join(out) + "\n").encode(), b"")

    monkeypatch.setattr(quality.subprocess, "run", fake_run)
    r = quality.score_cli(TINY)
    assert len(calls) == 1
    assert calls[0][0][1:] == ["-m", "redaction", "spans"] and calls[0][1] == quality.ROOT
    direct = quality.score(TINY, lambda text: TINY_PREDS.get(text, []))
    assert r == direct


def test_report():
    r = quality.score(TINY, lambda text: TINY_PREDS.get(text, []))
    perfect = quality.score(TINY, lambda text: [_P(a, b, lab) for s in TINY if s.text == text
                                                for a, b, lab in s.spans])
    md = quality.report(quality.assemble(r, perfect, n=5, seed=123))
    assert md.startswith("## ") and "`make bench`" in md and "123" in md
    assert "NOT met" in md and "(met)" in md
    for label in ("PHONE", "EMAIL", "ORDER_ID", "PERSON", "any label"):
        assert label in md
    assert "13812345678" not in md and "Smith" not in md  # figures only, no texts
