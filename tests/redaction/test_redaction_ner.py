"""The statistical name layer: cue-less names found, look-alikes not, the model checked by hash."""

from __future__ import annotations

import shutil

import pytest

import redaction
from redaction import LAYERS, LayerError, Recognizer, Redactor, check_layers
from redaction.detectors import DEFAULT_DETECTORS
from redaction.ner.lac import FILE_SHA256, LacTagger, ModelFileError, model_dir
from tests.support.redaction import names


@pytest.mark.parametrize("text,expected", [
    ("张伟说明天再来", ["张伟"]),
    ("经理韩朝晖已经处理好了", ["韩朝晖"]),
    ("记者张胜男报道了这件事", ["张胜男"]),
    ("I spoke with Maria Gonzalez about it", ["Maria Gonzalez"]),
    ("Passed on to ZHANG wei yesterday", ["ZHANG wei"]),
    ("Åsa Laine will call back", ["Åsa Laine"]),
    ('{"name":"Leo Wang","tier":2}', ["Leo Wang"]),
    ("Please book a table for Rosalind at seven", ["Rosalind"]),  # a first name after a cue word
    ("I had lunch with Bernadette yesterday", ["Bernadette"]),
    ("Gregory, could you check the invoice?", ["Gregory"]),
    # issue 12: slots, records and words on no list (our own example rows)
    ("Please wire $300 to Oyelaran tomorrow.", ["Oyelaran"]),
    ("The booking is under Radomir Szczyrk", ["Radomir Szczyrk"]),
    ("Yesterday I met Tobias Quenneville at the gym", ["Tobias Quenneville"]),
    ("friends call me rosalind", ["rosalind"]),
    # a lower-case word on no list of English words after a cue that names (speech-to-text)
    ("聯絡人：張偉，手機13812345678", ["張偉"]),  # traditional characters, read through the fold
    ("我係陳大文，想問下個單", ["陳大文"]),
    ("hi my name is vitorinha and I need help", ["vitorinha"]),
    # speech-to-text: fillers after the cue; a caller naming themselves in lower case
    ("Ticket raised by Siobhan O'Brien", ["Siobhan O'Brien"]),        # apostrophe and hyphen surnames
    ("Please add Mohammed Al-Farsi to the account", ["Mohammed Al-Farsi"]),
    ("O'Reilly Media books are on the shelf", []),
    ("um my name is uh rosalind abernathy", ["rosalind abernathy"]),
    ("hi this is theodore calling about my refund", ["theodore"]),
    ("yeah it is margaret hendricks here", ["margaret hendricks"]),
    ("this is great, thanks", []),
    ("this is grace period stuff", []),  # a first name, but no surname and no calling/here/from after it
    ("everyone calls me žofie", ["žofie"]),
    ("please call me asap", []),  # a bare `call me`: no unknown word taken
    ("call me anytime after five", []),
    ("You have a visit with Okafor Ngozi MD on Friday.", ["Okafor Ngozi MD"]),
    ("We invited Wilhelmina, Desmond, Priscilla and Oyelaran.", ["Wilhelmina", "Desmond", "Priscilla", "Oyelaran"]),
    ("Rosalind Abernathy-Kwok\n\n12 Harbour Lane\nSpringfield", ["Rosalind Abernathy-Kwok"]),
    ("Mark Okonkwo\n\n12 Harbour Lane", ["Mark Okonkwo"]),  # a first name that is also a word, heading a record
    ("Grace Period\nYour payment is due", []),
    ('Evangeline: "Where were you?"', ["Evangeline"]),
    ('Amber: "Who are you?"', ["Amber"]),  # a first name that is also a word, opening a quoted turn
    ('Summer: "hot again"', []),          # a word far more often than a name there
    ("客户说6月凯弈的报表已发", []),
    # a possessive after a full name; letters beyond ASCII end no name early; name words beside a name
    ("I read Tobias Quenneville's report", ["Tobias Quenneville"]),
    ("the notes from Emmie Ström's visit", ["Emmie Ström"]),
    ("the notes from Radomira D. Szczyrkowska's visit", ["Radomira D. Szczyrkowska"]),
    ("big fan of Kylie kowalczyk honestly", ["Kylie kowalczyk"]),  # a census surname in lower case
    ("Kylie has the keys", ["Kylie"]),
    ("name's Bob Smith", ["Bob Smith"]),  # `name's` is a cue like `name is`
    # lower case after a cue, with an apostrophe or a hyphen; surname and last-name cues
    ("customer: yeah it's michael o'connor", ["michael o'connor"]),
    # after `it's`, a census surname that is also a common word; a name said again, whole
    ("customer: yeah it's john miller", ["john miller"]),
    ("uh my name's tom, tom hardy", ["tom", "tom hardy"]),
    ("it's kevin, kevin brown", ["kevin", "kevin brown"]),
    ("it's james good morning", []),  # a greeting after a first name: no caller named
    # a Chinese name in lower-case pinyin after a cue; after `this is`, a given name that is no English word
    ("i'm calling for my mom, her name is li na", ["li na"]),
    ("my name is wang xiaoming", ["wang xiaoming"]),
    ("this is chen jie calling", ["chen jie"]),
    ("this is an ai model", []),
    # a message in capitals reads as one in lower case; a first name that is a word before a surname that is none
    ("customer: MY NAME IS KAREN WHITE", ["KAREN WHITE"]),
    ("i spoke to maria gonzalez yesterday", ["maria gonzalez"]),
    ("BIG SALE TODAY ONLY, CALL ME BACK ASAP", []),
    # a lower-case title before a surname given in full elsewhere; alone it is no name (redaction.surnames);
    # not the verb, not a product
    ("customer: hi yes this is ellen patterson\nagent: thanks mrs patterson", ["ellen patterson", "mrs patterson"]),
    ("customer: hi yes this is mrs patterson", []),
    ("ask for dr okafor", []),
    ("i miss home so much", []),
    ("i use ms word daily", []),
    ("my name is michael. last name is o'connor", ["michael", "o'connor"]),
    ("her name is mary-jane watson", ["mary-jane watson"]),
    ("my surname is Kowalski and first name is Piotr", ["Kowalski", "Piotr"]),
    ("my name is lena kowalczykowa.", ["lena kowalczykowa"]),  # a surname on no list after a naming cue
    ("my name is lena pls help", ["lena"]),                    # not a short word after it
    ("Wilhelmina Pottinger\n\n27 Grubenweg 14\nThalwil", ["Wilhelmina Pottinger"]),  # heading a record
    ("Wilhelmina Pottinger\nthanks for the help", []),  # an old English word as surname: only before a street
    ("the name is wrong on my card", []),
    ("his name is still missing", []),
    # a name found once is found at its other mentions (multi-turn transcripts)
    ("Customer: it's Rosalind Abernathy. Agent: thanks, Rosalind. Customer: Abernathy, with a y.",
     ["Rosalind Abernathy", "Rosalind", "Abernathy"]),
    ("张伟说明天来。客服：好的，张伟的电话是多少？", ["张伟", "张伟"]),
    # ... in another case when the word is no English word (transcripts change case between turns)
    ("Customer: my name is Rosalind Abernathy. Agent: thanks rosalind, and abernathy is spelled?",
     ["Rosalind Abernathy", "rosalind", "abernathy"]),
    ("Customer: my name is Grace Kowalczyk, thanks, grace is fine", ["Grace Kowalczyk"]),  # grace: a word
    # titles and credentials written with a name are masked with it; names with only spaces between merge
    ("Please confirm Dr. Tobias Quenneville at noon", ["Dr. Tobias Quenneville"]),
    ("Book me with Radomir Szczyrk, MD, at 3 pm", ["Radomir Szczyrk, MD"]),
    ("Send the money to Aunt Wilhelmina please", ["Aunt Wilhelmina"]),
    ("A letter from Tobias Quenneville Jr. arrived", ["Tobias Quenneville Jr."]),
    ("Prof. Oyelaran Adebayo III, PhD wrote back", ["Prof. Oyelaran Adebayo III, PhD"]),
    ("Ask dr. rosalind about it", []),  # a title and one name: no name (redaction.surnames)
    ("Ask dr. rosalind whitcombe about it", ["dr. rosalind whitcombe"]),
    # a list after a word for people: every capitalised item, common words too
    ("It was started by our 3 founders: Okafor, Reed and White. The idea was born", ["Okafor", "Reed", "White"]),
    ("The passengers are Tomasz, Grace and Hunter", ["Tomasz", "Grace", "Hunter"]),
    ("We sell Apples, Pears and Plums", []),
    ("Our speakers include Apple, Google and Dell", []),  # firms after a word for people
    # Hong Kong names in Cantonese romanisation
    ("Please contact CHAN Tai-man at the office", ["CHAN Tai-man"]),
    ("I met Chan Tai Man yesterday", ["Chan Tai Man"]),
    ("Ho Ho Ho from all of us", []),
    ("So Much Fun here", []),
    # a relative's name, a person asked for, an initial and a surname
    ("I'm calling for my mother, Linda Park", ["Linda Park"]),  # a common-word surname after a relative
    ("Can I speak to Priya please", ["Priya"]),
    ("talk to Support please", []),
    ("the package was signed by J. Rodriguez", ["J. Rodriguez"]),
    ("I got plan B. Then we left", []),
    # a name spelled out letter by letter: after the name it joins it; after a cue it is one
    ("customer: yeah my name is maria gonzalez g o n z a l e z", ["maria gonzalez g o n z a l e z"]),
    ("Name's Jorge Ramirez, R-A-M-I-R-E-Z", ["Jorge Ramirez, R-A-M-I-R-E-Z"]),
    ("my last name is spelled k o w a l s k i", ["k o w a l s k i"]),
    ("SURNAME: K-O-W-A-L-S-K-I", ["K-O-W-A-L-S-K-I"]),
    ("the name is a bit long", []),
    ("my name is Jon, J-O-N", ["Jon, J-O-N"]),  # a short spelling of a word of the name
    ("my name is, um, kevin brown", ["kevin brown"]),  # after `my name is`, a surname that is also a word
    ("call me kevin brown", ["kevin"]),  # not after a weaker cue
    # a name found up to its middle initial goes on over the surname the rules missed
    ("Book with Dr. Rosalind K. VanderMeer, MD at 3", ["Dr. Rosalind K. VanderMeer, MD"]),
    ("Please see Dr. Rosalind K. de Quenneville tomorrow", ["Dr. Rosalind K. de Quenneville"]),
    ("Dr. Rosalind K. said yes", ["Dr. Rosalind K."]),  # an English word after the initial is no surname
    ("Tobias Quenneville is an MD now", ["Tobias Quenneville"]),  # not a directory entry, no credential
    ("tobias Quenneville\nRosalind Abernathy", ["tobias Quenneville", "Rosalind Abernathy"]),  # lines stay apart
    ("我叫 李 小 红，电话找我", ["李 小 红"]),  # a name typed one character at a time after a cue
    ("参会人员：张伟 李娜 王芳", ["张伟", "李娜", "王芳"]),  # Chinese names with spaces between: three people
    ("上官婉儿女士您好", ["上官婉儿"]),  # a compound surname with a given name, before a title
    ("I spoke with Maria Gonzalez; Mariachi band later", ["Maria Gonzalez"]),  # whole words only
])
def test_cueless_names(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "小姐您好，导游会在门口等您，感谢您的耐心",
    "客服小美为您服务，小王稍后联系您",
    "他历任经理和总监",
    "任经理说方案下周定",  # a surname alone before a title (issue 12)
    "吴女士和王先生都到了，李总在路上",
    "小姐，导游说感谢大家配合",
    "感谢导游小姐的讲解",
    "Thank You For Calling Customer Service",
    "非常理解您等待的心情",
    "We stayed at the Marvin Hollow Apartments near the lake",  # places built on names
    "The Duchess Mabel arrived at the harbour",
    "Take the ferry from Los Angeles tomorrow",
    "ORDER SHIPPED TODAY BIG SALE",
    "Fowler, Hastings and Delgado is a law firm in Ohio.",  # a firm built on surnames
    "She worked at Barnes, Whitaker and Pruitt for years.",
    "We flew back from Verona last night",  # a place after `from`
    "Book an appointment with Brightsmile Dental Care Group",
    "I cried like Les Miserables",
    "那家司利达律师事务所很有名",
    "奥特曼来了",
    "上官女士您好，您的退款已到账",  # a compound surname alone before a title
    "戴森V12和戴森V11有什么区别",   # a brand
    "The MD will see you, Dr. is out",  # a title or credential alone names nobody
    "she became an MD, then a PhD",
    "Customer: Send it to my office",  # a verb opening a turn after its label
    "Customer: Cancel it please",
    "Client: Check the parcel again",
])
def test_not_names(text):
    assert names(text) == []


def test_layers_load_and_are_named():
    assert check_layers() == LAYERS


class _Fixed:
    labels = ("EMPLOYEE",)

    def find(self, text):
        at = text.find("E-77")
        return [] if at < 0 else [(at, at + 4, "EMPLOYEE", 1.0)]


def test_custom_recognizer_is_fused_but_rules_win_on_overlap():
    assert isinstance(_Fixed(), Recognizer)
    redactor = Redactor(DEFAULT_DETECTORS, recognizers=[_Fixed()])
    spans = redactor.find_spans("badge E-77, 手机13812345678")
    assert [(s.label) for s in spans] == ["EMPLOYEE", "PHONE"]
    assert redactor.output.recognizers == ()  # the stream runs no recognizer


def _full_viterbi(trans, emissions):
    """The textbook CRF decode over every tag (the reference the pruned decode must equal)."""
    import numpy as np

    dp, back = emissions[0].astype(np.float64), []
    for row in emissions[1:]:
        scores = dp[:, None] + trans  # [from, to]
        back.append(scores.argmax(0))
        dp = scores.max(0) + row
    path = [int(dp.argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return path[::-1]


@pytest.fixture(scope="module")
def tagger():
    return LacTagger()


@pytest.mark.parametrize("text", ["张伟说明天再来", "非常理解您等待的心情，王小明先生请您稍等。",
                                  "客服小美为您服务，您的订单已由李建国签收", "经理韩朝晖和记者张胜男都在现场"])
def test_pruned_decode_equals_the_full_one_on_text(tagger, text):
    trans = tagger._trans.astype("float64")
    assert tagger.tags(text) == _full_viterbi(trans, tagger._emissions(text))


@pytest.mark.parametrize("scale", [0.05, 0.3, 1.0, 5.0])
def test_pruned_decode_equals_the_full_one_on_close_emissions(tagger, scale):
    # Emissions this close keep several tags a character in the lattice (up to all 59 at 0.05).
    import numpy as np

    rng = np.random.default_rng(12)
    trans = tagger._trans.astype("float64")
    for n in (1, 2, 7, 40):
        emissions = rng.normal(0.0, scale, (n, trans.shape[0])).astype(np.float32)
        assert tagger._viterbi(emissions) == _full_viterbi(trans, emissions)


def test_decode_between_fixed_tags_equals_the_full_one(tagger):
    # Characters with one tag left (a clear best) fix the path and cut the decode into stretches: at the
    # start, between two fixed tags, and at the end, of one to several characters each.
    import numpy as np

    rng = np.random.default_rng(7)
    trans = tagger._trans.astype("float64")
    for _ in range(200):
        n = int(rng.integers(1, 30))
        emissions = rng.normal(0.0, 0.1, (n, trans.shape[0]))
        for t in np.flatnonzero(rng.random(n) < 0.5):
            emissions[t, rng.integers(trans.shape[0])] += 5.0  # one tag far ahead: fixed
        emissions = emissions.astype(np.float32)
        assert tagger._viterbi(emissions) == _full_viterbi(trans, emissions)


def _texts_for_threads():
    return ["张伟说明天再来", "经理韩朝晖和记者张胜男都在现场。" * 30, "", "no Chinese here",
            "客服小美为您服务，您的订单已由李建国签收；" + "王小明先生请您稍等。" * 40]


def test_begin_gives_what_persons_gives(tagger):
    # The model runs on ONNX Runtime's pool while the caller goes on; the result is the same.
    for text in _texts_for_threads():
        tagger._cache.clear()
        want = tagger.persons(text)
        tagger._cache.clear()
        pending = tagger.begin(text)
        assert tagger.persons(text, pending) == want
        assert tagger.persons(text, pending) == want  # a handle read twice gives the same again
    assert tagger.persons("张伟说明天再来") and tagger.persons("今天天气很好") == []


def test_begin_falls_back_to_a_plain_run_when_the_models_thread_fails(tagger, monkeypatch):
    import threading

    class FailsOffThread:  # stand-in session: the run on the model's own thread fails, the caller's works
        def __init__(self, real):
            self.real = real

        def run(self, *args):
            if threading.current_thread().name == "hushdesk-lac":
                raise RuntimeError("no")
            return self.real.run(*args)

    text = "经理韩朝晖和记者张胜男都在现场"
    tagger._cache.clear()
    want = tagger.persons(text)
    monkeypatch.setattr(tagger, "_session", FailsOffThread(tagger._session))
    tagger._cache.clear()
    pending = tagger.begin(text)
    assert pending.run is not None and pending.run.result() is None
    assert tagger.persons(text, pending) == want and want


def test_begin_when_the_models_thread_is_busy_runs_it_on_the_callers(tagger):
    from redaction.ner import lac

    text = "经理韩朝晖和记者张胜男都在现场"
    tagger._cache.clear()
    want = tagger.persons(text)
    tagger._cache.clear()
    assert lac._RUNNER._busy.acquire(blocking=False)  # another caller's text is on it
    try:
        pending = tagger.begin(text)
    finally:
        lac._RUNNER._busy.release()
    assert pending.run is None and tagger.persons(text, pending) == want


def test_a_process_forked_after_loading_redacts():
    # The model's thread stays in the parent; the child starts its own. (The child leaves with os._exit, as
    # multiprocessing's children do: an ONNX Runtime session inherited through fork hangs a normal exit,
    # with or without this thread; see README, Known limits.)
    import os
    import signal

    redaction.find_spans("客户王建国说明天来")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            signal.alarm(60)
            spans = redaction.find_spans("联系人李小川，客户王建国")
            os.write(write, repr([(s.start, s.end, s.label) for s in spans]).encode())
        finally:
            os._exit(0)
    os.close(write)
    got = os.read(read, 10_000).decode()
    os.close(read)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert got == repr([(3, 6, "PERSON"), (9, 12, "PERSON")])  # 李小川, 王建国


def test_begun_recognizers_are_collected_last_in_their_own_order():
    from redaction.recognizers import begin_all, spans_of

    calls = []

    class Plain:
        labels = ("PERSON",)

        def __init__(self, name, span):
            self.name, self.span = name, span

        def find(self, text):
            calls.append(("find", self.name))
            return [self.span]

    class Threaded(Plain):
        def begin(self, text):
            calls.append(("begin", self.name))
            return lambda: (calls.append(("collect", self.name)), [self.span])[1]

    recs = [Threaded("a", (0, 2, "PERSON", 0.9)), Plain("b", (3, 5, "PERSON", 0.8)),
            Threaded("c", (6, 9, "PERSON", 0.7))]
    begun = begin_all(recs, "ab cd efg")
    assert calls == [("begin", "a"), ("begin", "c")]
    got = spans_of(recs, "ab cd efg", begun)
    assert calls[2:] == [("find", "b"), ("collect", "a"), ("collect", "c")]
    assert got == [(0, 2, "PERSON", 0.9, False), (3, 5, "PERSON", 0.8, False), (6, 9, "PERSON", 0.7, False)]
    calls.clear()
    assert spans_of(recs, "ab cd efg") == got and calls == [("find", "a"), ("find", "b"), ("find", "c")]


def test_redaction_from_many_threads_at_once_matches_one_at_a_time():
    # Several app threads share one session and its pool: each gets its own text's names.
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"{a}说明天再来，联系人{b}。" * k for k, (a, b) in enumerate(
        [("张伟", "李建国"), ("王小明", "韩朝晖"), ("赵敏", "张胜男"), ("刘洋", "陈静")] * 5, 1)]
    want = [redaction.find_spans(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(redaction.find_spans, texts)) == want
    assert all(any(s.label == "PERSON" for s in w) for w in want)


def test_changed_model_file_is_refused(tmp_path):
    for name in FILE_SHA256:
        shutil.copy(model_dir() / name, tmp_path / name)
    (tmp_path / "tag.dic").write_text("0\tPER-B\n", encoding="utf-8")
    with pytest.raises(ModelFileError):
        LacTagger(tmp_path)
    assert "missing or damaged" in LayerError("x").args[0]


def test_spelled_names_on_the_input_side_only():
    # On a reply stream the pattern would hold every single letter after a space.
    from redaction.detectors import names as name_rules
    from redaction.redactor import output_detectors

    assert name_rules.SPELLED_NAME in DEFAULT_DETECTORS
    assert name_rules.SPELLED_NAME not in output_detectors(DEFAULT_DETECTORS)
