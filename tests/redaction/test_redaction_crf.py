"""The context layer (redaction/ner/crf.py): a CRF trained on the helper-written tuning sets.

Real model file, real python-crfsuite, real training (bench/crf_train.py); nothing is faked.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import crf_train
from redaction import DEFAULT_DETECTORS, Redactor, load_layers
from redaction.ner import crf
from redaction.normalise import input_view

ROOT = Path(__file__).resolve().parents[2]


def _layers():
    layers = load_layers()
    assert isinstance(layers[-1], crf.CrfValues)
    return layers


def _found(redactor: Redactor, text: str) -> list[str]:
    return [text[s.start:s.end] for s in redactor.find_spans(text)]


def test_the_shipped_model_is_the_recorded_one():
    assert hashlib.sha256(crf.MODEL.read_bytes()).hexdigest() == crf.MODEL_SHA256


@pytest.mark.parametrize("damage", ["changed", "missing", "not a model"])
def test_a_changed_or_missing_model_is_refused(tmp_path, damage):
    path = tmp_path / "values_crf.model"
    if damage == "changed":
        path.write_bytes(crf.MODEL.read_bytes() + b"\0")
    elif damage == "not a model":
        path.write_bytes(b"not a model")
    with pytest.raises(crf.ModelFileError):
        crf.CrfValues(_layers()[1], path=path)


def test_a_file_that_is_no_model_is_refused_even_unchecked(tmp_path):
    path = tmp_path / "values_crf.model"
    path.write_bytes(b"not a model")
    with pytest.raises(crf.ModelFileError):
        crf.CrfValues(_layers()[1], path=path, check=False)


def test_a_damaged_model_stops_the_command_line(tmp_path):
    # A copy of the redaction package whose model file has one byte more, first on the path.
    shadow = tmp_path / "shadow"
    shutil.copytree(ROOT / "redaction", shadow / "redaction", ignore=shutil.ignore_patterns("__pycache__"))
    model = shadow / "redaction" / "data" / crf.MODEL.name
    model.write_bytes(model.read_bytes() + b"\n")
    run = subprocess.run([sys.executable, "-m", "redaction", "spans"], input='{"text": "张伟说明天再来"}\n',
                         capture_output=True, text=True, cwd=tmp_path, timeout=120,
                         env={"PYTHONPATH": f"{shadow}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 2 and run.stdout == ""
    assert "PII model missing or damaged" in run.stderr and "Traceback" not in run.stderr


def test_the_shipped_model_was_trained_on_what_the_trainer_reads_today():
    """The sets and features give the fingerprint recorded when the shipped model was trained.

    Retraining takes two minutes, so `make bench` does it (bench/crf_fresh.py reports whether the bytes
    match MODEL_SHA256); this catches, in seconds, a changed set or feature that was not retrained on.
    """
    assert crf_train.fingerprint() == crf_train.TRAINING_SHA256
    # The fingerprint follows what training would read: one set fewer, or other settings, change it.
    assert crf_train.fingerprint(crf_train.TRAIN[1:]) != crf_train.TRAINING_SHA256
    assert crf_train.fingerprint(params={**crf_train.PARAMS, "c1": 0.2}) != crf_train.TRAINING_SHA256


def test_training_is_deterministic(tmp_path):
    """The same lines and settings give the same bytes (the shipped model's hash depends on it)."""
    quick = {**crf_train.PARAMS, "max_iterations": 5}
    first, second = tmp_path / "a.model", tmp_path / "b.model"
    assert crf_train.train(first, ("tune_chat",), params=quick) > 0
    crf_train.train(second, ("tune_chat",), params=quick)
    assert first.read_bytes() == second.read_bytes()
    other = tmp_path / "c.model"
    crf_train.train(other, ("tune_chat",), params={**quick, "c2": 1.0})
    assert other.read_bytes() != first.read_bytes()


def test_held_out_sets_are_never_trained_on(tmp_path):
    assert not any(name.startswith("check") for name in crf_train.TRAIN)
    with pytest.raises(ValueError):
        crf_train.train(tmp_path / "m", ("check2_chat",))
    with pytest.raises(SystemExit):
        crf_train.main(["--out", str(tmp_path / "m"), "--without", "check2_chat"])


def test_training_labels_follow_the_input_view():
    # 幺三八 reads as 138 in the input view; its tokens carry the value's label, the cue's do not.
    row = {"text": "手机幺三八一二三四五六七八，谢谢", "pii": [{"value": "幺三八一二三四五六七八", "label": "PHONE"}]}
    feats, tags = crf_train.sequence(row, crf.Features(_layers()[1]))
    toks = crf.tokens(input_view(row["text"]).text)
    assert len(feats) == len(tags) == len(toks)
    labelled = [t for t, tag in zip(toks, tags) if tag != "O"]
    assert "".join(w for _, _, w in labelled) == "13812345678"
    assert tags[0] == "O" and tags[-1] == "O" and tags.count("B-PHONE") == 1


# Texts written for this table in the shape of what the rules missed on text others wrote: the layer finds
# the value, the rules alone do not.
ADDED = [
    ("caller: hello i calling for my mother lim wei ling her handphone spoil", "lim wei ling"),
    ("caller: its frank bishop at sixty four maple crescent in moncton", "frank bishop"),
    ("csr: and name of receiver\ncustomer: jonalyn dizon", "jonalyn dizon"),
    ("customer: fnb cheque account six two eight\nagent: six two eight", "six two eight"),
    ("Ms Tan, hp 9127 4408, collect Sat", "9127 4408"),  # eight digits in two fours, read from context
]


@pytest.mark.parametrize("text,value", ADDED)
def test_the_layer_finds_what_the_rules_miss(text, value):
    layers = _layers()
    assert value not in _found(Redactor(DEFAULT_DETECTORS, layers[:-1]), text)
    assert value in _found(Redactor(DEFAULT_DETECTORS, layers), text)


# Spans the layer's own check drops, whatever the model says (text, start of the value, the value, label).
DROPPED = [
    ("call 1-800-555-0199 now", "1-800-555-0199", "PHONE"),  # written: the rules check phones
    ("NHS number 512 034 7788", "512 034 7788", "PHONE"),  # ... (its check digit fails: no one's)
    ("it was 011 2024 0001", "011 2024 0001", "PHONE"),
    ("热线400-108-0656", "400-108-0656", "ORDER_ID"),  # no code stands inside a longer run
    ("flight NH920 tomorrow", "NH920", "LICENSE_PLATE"),  # a flight
    ("the password P@ssw0rd is not allowed", "P@ssw0rd", "EMAIL"),
    ("send it to a at gmail dot com", "a at gmail dot com", "EMAIL"),  # an article before the at
    ("Agent: zip code?\nCaller: nine oh two one oh", "nine oh two one oh", "PHONE"),
    ("six six six six six six six", "six six six six six six six", "PHONE"),
    ("your pickup code is seven four four one nine", "seven four four one nine", "ORDER_ID"),
    ("firmware 3.0.0.4.388_24198", "388_24198", "ORDER_ID"),
    ("中国国籍", "中国国籍", "ADDRESS"),  # no number, no street or building word
    ("we have three Oak Lane houses", "three Oak Lane houses", "ADDRESS"),
    ("see you at #Boston2024", "#Boston2024", "ADDRESS"),  # a hashtag
    ("born January 15, Height 160cm", "January 15, Height 160cm", "ADDRESS"),  # a date
    ("负责人：柯老师", "柯老师", "PERSON"),  # a title
    ("值班：小雪", "小雪", "PERSON"),  # an alias
    ("沈阳北站出发", "沈阳北站", "PERSON"),  # a place
    ("组长 孙哥", "组长 孙哥", "PERSON"),
    ("前魔兽著名选手Moon夺得亚军", "Moon夺得亚军", "PERSON"),  # two scripts: a name and the words after it
    ("it's james good morning", "james good morning", "PERSON"),  # a greeting after a name
    ("see #Norge", "#Norge", "PERSON"),
    ("He's in San Jose now", "Jose", "PERSON"),
    ("Caller: London, Paris", "Paris", "PERSON"),
    ("my husband will call you back", "will", "PERSON"),
    ("thank you May.", "May", "PERSON"),
    ("I said r e d", "r e d", "PERSON"),
    ("She works for Quorvexa Inc", "Quorvexa Inc", "PERSON"),
    ("a property named Carmel House with 3 bedrooms", "Carmel House", "PERSON"),  # a venue
    ("the workshop is in Jade Room on 3F", "Jade Room", "PERSON"),
]

KEPT = [
    ("Caller: Q K D seven H two L M four P.", "Q K D seven H two L M four P", "ORDER_ID"),
    ("Agent: PNR?\nCaller: Q7MZ4P", "Q7MZ4P", "ORDER_ID"),
    ("Caller: it's j dot okafor at mail dot com", "j dot okafor at mail dot com", "EMAIL"),
    ("unit four, fifteen Wattle Street", "unit four, fifteen Wattle Street", "ADDRESS"),
    ("customer: jonalyn dizon", "jonalyn dizon", "PERSON"),
    ("Caller: it's Jennifer Hall from Leeds", "Jennifer Hall", "PERSON"),  # Hall: a surname, no venue
    ("Caller: ok it's Chan Siu Ming, 9127 4408", "9127 4408", "PHONE"),
    ("户主是庹建华吗", "庹建华", "PERSON"),  # a surname on no list of common ones: kept when sure
]


@pytest.mark.parametrize("text,value,label", DROPPED)
def test_implausible_spans_are_dropped(text, value, label):
    start = text.index(value)
    assert not crf._plausible(text, start, start + len(value), label, 0.99, _layers()[1])


@pytest.mark.parametrize("text,value,label", KEPT)
def test_plausible_spans_are_kept(text, value, label):
    start = text.index(value)
    assert crf._plausible(text, start, start + len(value), label, 0.99, _layers()[1])


def test_a_chinese_name_off_the_surname_list_needs_a_sure_model():
    names = _layers()[1]
    text = "户主是庹建华吗"
    assert crf._plausible(text, 3, 6, "PERSON", 0.95, names)
    assert not crf._plausible(text, 3, 6, "PERSON", 0.7, names)
    assert crf._plausible("户主是王建华吗", 3, 6, "PERSON", 0.7, names)


class _Filler:
    """A gap filler standing in for the CRF, to test the fusion rule alone."""

    labels = ("PERSON", "ORDER_ID")
    fills_only = True

    def __init__(self, spans):
        self.spans = spans

    def find(self, text):
        return self.spans


def test_a_gap_filler_never_replaces_a_rule_match_of_another_label():
    text = "电话：8613912345678 还有 ABC123"
    view = input_view(text).text  # recognizers see the input view (电话:8613912345678还有 ABC123)
    phone = view.index("8613912345678")
    # Over the phone the rules found: dropped, the rule's label stays; in a gap: taken.
    filler = _Filler([(phone - 3, phone + 13, "ORDER_ID", 0.9), (view.index("ABC123"), len(view), "ORDER_ID", 0.9)])
    spans = Redactor(DEFAULT_DETECTORS, (filler,)).find_spans(text)
    assert [(text[s.start:s.end], s.label) for s in spans] == [("8613912345678", "PHONE"), ("ABC123", "ORDER_ID")]


# Written for this table in the shape of what the layer found but the fusion dropped on text others wrote:
# a rule's match cut short inside a value the layer holds whole (a name inside an address it is sure of).
GROWN = [
    ("Agent: address please?\nCaller: Flat 9B, Block 2, Lok Fu Garden Estate",
     "Flat 9B, Block 2, Lok Fu Garden Estate"),
    ("地址：杭州市西湖区文三路 88 号 3 幢 5 0 2", "杭州市西湖区文三路 88 号 3 幢 5 0 2"),
    ("new address is 31 rue Saint-Denis, Montréal QC H2X 3K8", "31 rue Saint-Denis, Montréal QC H2X 3K8"),
    # (Malaysian addresses: the rules' since round 10, redaction.ner.malaysian_places; `Greenview` was this
    # row's estate until round 11, when a word made of two English words stopped being read as a name)
    ("Caller: it's Lot 14, Phase 1, Camella Homes, Bacoor, Cavite", "Lot 14, Phase 1, Camella Homes, Bacoor, Cavite"),
    # An address read slowly, with pauses and fillers (round 8's Chinese transcripts).
    ("坐席：收货地址说一下\n客户：浙江省……杭州市，呃，余杭区……文一西路……那个，龙湖天街……三栋，两单元，七零一",
     "浙江省……杭州市，呃，余杭区……文一西路……那个，龙湖天街……三栋，两单元，七零一"),
]


@pytest.mark.parametrize("text,value", GROWN)
def test_the_layer_grows_a_match_cut_short(text, value):
    layers = _layers()
    without = _found(Redactor(DEFAULT_DETECTORS, layers[:-1]), text)
    assert value not in without and any(part in value for part in without)
    assert _found(Redactor(DEFAULT_DETECTORS, layers), text) == [value]


def _fused(text, value, label, score):
    view = input_view(text).text  # the stand-in's span, on the view recognizers see
    start = view.index(value)
    filler = _Filler([(start, start + len(value), label, score)])
    return [(text[s.start:s.end], s.label) for s in Redactor(DEFAULT_DETECTORS, (filler,)).find_spans(text)]


@pytest.mark.parametrize("text,value,label,score,expected", [
    # Its own label's match held whole: replaced by the longer span, trimmed of punctuation at its ends.
    ("订单号 ORD20241103 KX.", "ORD20241103 KX.", "ORDER_ID", 0.7, [("ORD20241103 KX", "ORDER_ID")]),
    ("订单号 ORD20241103 KX, two adults", "ORD20241103 KX, two adults", "ORDER_ID", 0.9,
     [("ORD20241103", "ORDER_ID")]),  # a list, the sentence going on
    ("订单号 ORD20241103\nKX", "ORD20241103\nKX", "ORDER_ID", 0.9, [("ORD20241103", "ORDER_ID")]),  # two lines
    ("my name is Tan Wei pls", "Tan Wei pls", "PERSON", 0.9, [("Tan Wei", "PERSON")]),  # a small word added
    ("my name is Tan Wei, Ling and Kai", "Tan Wei, Ling", "PERSON", 0.9, [("Tan Wei", "PERSON")]),  # two people
    # A name inside a value of another label: replaced only when the layer is sure.
    ("my name is Tan Wei 42", "Tan Wei 42", "ORDER_ID", 0.9, [("Tan Wei 42", "ORDER_ID")]),
    ("my name is Tan Wei 42", "Tan Wei 42", "ORDER_ID", 0.7, [("Tan Wei", "PERSON")]),
    # Any other label's match stays (the rules check phones, IDs and cards).
    ("电话:13912345678号", "13912345678号", "ORDER_ID", 0.99, [("13912345678", "PHONE")]),
    # An address's commas are its own, but not a sentence going on after it.
    ("I live at 12 Main Street, Flat 2", "12 Main Street, Flat 2", "ADDRESS", 0.9,
     [("12 Main Street, Flat 2", "ADDRESS")]),
    ("I live at 12 Main Street, 3 kids", "12 Main Street, 3 kids", "ADDRESS", 0.9, [("12 Main Street", "ADDRESS")]),
    ("I live at 12 Main Street and Flat 2", "12 Main Street and Flat 2", "ADDRESS", 0.9,
     [("12 Main Street", "ADDRESS"), ("Flat 2", "ADDRESS")]),
])
def test_a_gap_filler_grows_only_a_match_it_holds(text, value, label, score, expected):
    assert _fused(text, value, label, score) == expected


def test_leaving_out_features_the_model_lacks_changes_no_tag():
    layer = _layers()[-1]
    assert layer.features.known  # tagging passes only the model's own features
    every = crf.Features(layer.features.names)  # ... training passes every one
    texts = ["caller: its frank bishop at sixty four maple crescent in moncton",
             "客户：浙江省……杭州市，呃，余杭区……文一西路，三栋，两单元，七零一", "Ms Tan, hp 9127 4408, collect Sat",
             "Zyxwvut Qqq-Ppp 12AB34 at zz dot qq"]
    for text in texts:
        view = input_view(text).text
        toks = crf.tokens(view)
        lean, full = layer.features.of(view, toks), every.of(view, toks)
        assert sum(map(len, lean)) < sum(map(len, full))
        tagger = layer._tagger
        tags = tagger.tag(full)
        marginals = [tagger.marginal(t, k) for k, t in enumerate(tags)]
        assert tagger.tag(lean) == tags
        assert [tagger.marginal(t, k) for k, t in enumerate(tags)] == pytest.approx(marginals, abs=1e-12)


def test_the_models_attributes_are_read_from_its_dump():
    layer = _layers()[-1]
    assert layer.features.known == frozenset(attribute for attribute, _ in layer._tagger.info().state_features)


def test_a_dump_that_cannot_be_written_leaves_every_feature(monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    layer = _layers()[-1]
    monkeypatch.setattr(crf.tempfile, "TemporaryDirectory", full_disk)
    assert crf._attributes(layer._tagger) is None
    fallback = crf.CrfValues(layer.features.names)
    assert fallback.features.known is None
    text = "caller: its frank bishop at sixty four maple crescent in moncton"
    assert fallback.find(text) == layer.find(text)


def test_lone_surrogates_reach_the_tagger_safely():
    layer = _layers()[-1]
    assert isinstance(layer.find("手机\ud800 13812345678 \udfff"), list)
