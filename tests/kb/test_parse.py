"""Real files of every type (made by tests/support/documents.py) into sections with exact headings and
pages; files that are not what they claim, encrypted, too large, empty or damaged are refused with a
fixed message that quotes nothing of the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from services.kb.chunk import passages
from services.kb.parse import DocumentRejected, Section, parse_bytes, parse_file
from services.kb.segment import query_terms, segment
from tests.support.documents import csv_file, docx_file, pdf, write_all

MB = 2**20


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("documents"))


def _by_heading(path: Path) -> dict[str | None, Section]:
    return {s.heading: s for s in parse_file(path, max_bytes=MB).sections}


def test_pdf_headings_come_from_the_outline_with_their_pages(files) -> None:
    sections = _by_heading(files["pdf"])
    assert sections["第一章 退货"].page == 1 and "七日内可以无理由退货" in sections["第一章 退货"].text
    assert sections["Chapter 2 Refunds"].page == 2 and "original card" in sections["Chapter 2 Refunds"].text


def test_pdf_without_an_outline_takes_numbered_heading_lines(tmp_path) -> None:
    path = pdf(tmp_path / "plain.pdf", [[("1.2 Delivery", "Parcels arrive in two days."),
                                         ("第三条 退款", "退款三日内到账。")]], outline=False)
    sections = _by_heading(path)
    assert "two days" in sections["1.2 Delivery"].text and "三日内到账" in sections["第三条 退款"].text


def test_pdf_without_an_outline_takes_lines_set_larger_than_the_body(tmp_path) -> None:
    path = pdf(tmp_path / "plain.pdf", [[("Refund policy", "Items may be returned within 30 days.\nRefunds go "
                                          "to the card."), ("退款时间", "退款会在七个工作日内退回。")],
                                        [("Shipping", "We ship in two days.")]], outline=False)
    sections = parse_file(path, max_bytes=MB).sections
    assert [(s.heading, s.page) for s in sections] == [("Refund policy", 1), ("退款时间", 1), ("Shipping", 2)]
    assert sections[0].text == "Items may be returned within 30 days.\nRefunds go to the card."


def test_pdf_set_in_one_size_has_no_headings_but_numbered_lines(tmp_path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "flat.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 11)
    for i, line in enumerate(["Refund policy", "Items may be returned within 30 days.", "2. Shipping",
                              "We ship in two days."]):
        c.drawString(72, 780 - 16 * i, line)
    c.showPage()
    c.save()
    assert [s.heading for s in parse_file(path, max_bytes=MB).sections] == [None, "2. Shipping"]


def test_docx_headings_from_a_styles_outline_level_and_numbered_lines(tmp_path) -> None:
    # A template's own heading style (named anything, with an outline level), and an article number typed
    # as a plain paragraph; a long numbered sentence stays text.
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    style = document.styles.add_style("章标题", 1)
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().append(level)
    document.add_paragraph("退货规则", style="章标题")
    document.add_paragraph("七天内可以退货。")
    document.add_paragraph("第三条 退款")
    document.add_paragraph("退款三日内到账。")
    document.add_paragraph("第四条　经营者应当按照国家规定退还货款，不得故意拖延或者无理拒绝。")
    path = tmp_path / "rules.docx"
    document.save(path)
    sections = parse_file(path, max_bytes=MB).sections
    assert [(s.heading, s.text.split("\n")[0]) for s in sections] == [("退货规则", "七天内可以退货。"),
                                                                       ("第三条 退款", "退款三日内到账。")]
    assert "第四条" in sections[1].text


def test_docx_headings_paths_and_tables(files) -> None:
    sections = _by_heading(files["docx"])
    assert sections["保修说明"].text == "整机保修一年。"
    battery = sections["Battery"]
    assert battery.path == ("保修说明",) and "six months" in battery.text and "屏幕 | 六个月" in battery.text


@pytest.mark.parametrize("kind, heading, expected", [
    ("md", "配送时间", "下单后两天内发货"),
    ("md", "Express", "one day"),
    ("html", "Data we keep", "two years"),
    ("txt", "营业时间", "9点到21点"),
    ("txt", "1. Holidays", "New Year"),
    ("xlsx", "会员积分怎么兑换？", "积分商城"),
    ("xlsx", "How do I change my address?", "Addresses"),
    ("csv", "Can I pay by invoice?", "business accounts"),
])
def test_each_type_keeps_the_exact_heading_text(files, kind, heading, expected) -> None:
    assert expected in _by_heading(files[kind])[heading].text


def test_html_leaves_scripts_out(files) -> None:
    assert all("not text" not in s.text for s in parse_file(files["html"], max_bytes=MB).sections)


@pytest.mark.parametrize("markup, heading", [
    ("<h2>What is <code>npm</code>?</h2>", "What is npm?"),  # inline elements join as written
    ("<h2>退<span>款</span>政策</h2>", "退款政策"),
    ("<h3>Shipping<br>and returns</h3>", "Shipping and returns"),
    ("<h2>\n  Data we\n  keep </h2>", "Data we keep"),
    ("<h2>Plans <script>var x = 1;</script>and prices</h2>", "Plans and prices"),
])
def test_html_heading_is_the_text_a_browser_shows(tmp_path, markup, heading) -> None:
    page = tmp_path / "page.html"
    page.write_text(f"<html><body>{markup}<p>body text</p></body></html>", encoding="utf-8")
    assert [s.heading for s in parse_file(page, max_bytes=MB).sections] == [heading]


def test_html_inline_elements_do_not_split_words(tmp_path) -> None:
    # A space inside 退款 would keep keyword search from finding the word.
    page = tmp_path / "page.html"
    page.write_text("<html><body><h2>规则</h2><p>七天内可<b>退</b>款，<a href='#'>详见</a>条款。Use <code>npm</code>"
                    " install<br>to add it.</p><li>one</li><li>two</li></body></html>", encoding="utf-8")
    text = parse_file(page, max_bytes=MB).sections[0].text
    assert "七天内可退款，详见条款。Use npm install" in text and "to add it." in text
    assert "one" in text and "two" in text and "onetwo" not in text


def test_chinese_lines_wrapped_mid_word_join_up(tmp_path) -> None:
    # A PDF page or a hard-wrapped text file cuts Chinese lines anywhere, also inside a word; a break
    # left there splits 退款 for keyword search. Lines ending in punctuation, English lines and
    # headings keep their breaks.
    wrapped = "七天内可退\n款，运费由商家\n承担。\nRefunds take\nfive days."
    sections = parse_file(pdf(tmp_path / "rules.pdf", [[("退货规则", wrapped)]]), max_bytes=MB).sections
    assert sections[0].text == "七天内可退款，运费由商家承担。\nRefunds take\nfive days."
    plain = tmp_path / "rules.txt"
    plain.write_text("退货规则\n========\n七天内可退\n款，运费由商家\n承担。\n\n第二条 换货\n换货请联系\n客服。\n",
                     encoding="utf-8")
    assert [(s.heading, s.text) for s in parse_file(plain, max_bytes=MB).sections] == [
        ("退货规则", "七天内可退款，运费由商家承担。"), ("第二条 换货", "换货请联系客服。")]


def test_text_in_gb18030_is_read(tmp_path) -> None:
    path = csv_file(tmp_path / "faq.csv", [["问题", "答案"], ["发票怎么开", "在订单详情里申请电子发票。"]], encoding="gb18030")
    assert "电子发票" in _by_heading(path)["发票怎么开"].text


@pytest.mark.parametrize("name, data, says", [
    ("fake.pdf", b"just some text, not a PDF", "not a PDF"),
    ("fake.docx", b"plain text pretending", "not a DOCX"),
    ("fake.xlsx", b"PK\x03\x04 not really a zip", "not a XLSX"),
    ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted or in the old format"),
    ("page.html", "no markup here at all, 只是文字".encode(), "not HTML"),
    ("binary.txt", b"\xff\xfe\x00\x00\x81\x00\x00\xff" * 20, "not text"),
    ("empty.md", b"   \n", "empty"),
    ("virus.exe", b"MZ....", "not supported"),
])
def test_files_that_are_not_what_they_claim_are_refused(name, data, says) -> None:
    with pytest.raises(DocumentRejected) as refused:
        parse_bytes(data, name, max_bytes=MB)
    assert says in refused.value.message


def test_a_zip_without_the_part_its_type_needs_is_refused(tmp_path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "secret customer list")
    with pytest.raises(DocumentRejected) as refused:
        parse_file(path, max_bytes=MB)
    assert "not a DOCX" in refused.value.message and "secret" not in refused.value.message


def test_an_encrypted_pdf_a_damaged_pdf_and_an_oversized_file_are_refused(tmp_path) -> None:
    locked = pdf(tmp_path / "locked.pdf", [[("Secret", "Hidden text.")]], password="pw")
    with pytest.raises(DocumentRejected, match="encrypted"):
        parse_file(locked, max_bytes=MB)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    with pytest.raises(DocumentRejected) as refused:
        parse_file(damaged, max_bytes=MB)
    assert refused.value.message in ("The file is damaged or not a valid file of its type.",
                                     "No text was found in the file (a scanned PDF needs text recognition first).")
    big = docx_file(tmp_path / "big.docx", [("p", "x" * 2000)])
    with pytest.raises(DocumentRejected, match="larger than the limit"):
        parse_file(big, max_bytes=100)


def test_passages_never_cross_a_heading_and_overlap_at_sentence_ends() -> None:
    text = "第一句话讲退货。第二句话讲换货。第三句话讲运费！ The fourth sentence. The fifth one?"
    parts = passages([Section("A", (), 3, text), Section("B", ("A",), 3, "另一节。")], size=24, overlap=10)
    assert {p.heading for p in parts} == {"A", "B"} and all(p.page == 3 for p in parts)
    a = [p.text for p in parts if p.heading == "A"]
    assert len(a) > 1 and all(len(t) <= 24 + 10 for t in a)
    assert a[0].startswith("第一句话讲退货。") and all(t.endswith(("。", "！", ".", "?")) for t in a)
    assert a[0].endswith("第三句话讲运费！") and a[1].startswith("第三句话讲运费！")  # the overlap repeats it


@pytest.mark.parametrize("question, present, absent", [
    ("退款需要多长时间？", ["退款"], ["需要", "多长时间"]),
    ("How long do refunds take?", ["refund", "take"], ["how", "do"]),
    ("[PHONE_1]的订单怎么取消", ["订单", "取消"], ["phone", "1"]),
])
def test_question_words_drop_stopwords_and_placeholders(question, present, absent) -> None:
    words, _ = query_terms(question)
    assert all(w in words for w in present) and not any(w in words for w in absent)


def test_index_words_segment_chinese_and_stem_english() -> None:
    seg = segment("七天无理由退货 Refunded orders")
    assert "退货" in seg.words.split() and "refund" in seg.words.split() and "退货" in seg.grams.split()


@pytest.mark.parametrize("text, short", [
    ("享受带薪年休假", "年假"),        # a three-character word: first and third characters
    ("缴纳社会保险", "社保"),          # four characters
    ("向消费者协会投诉", "消协"),      # two words in a row: their first characters
    ("网络购物的退货", "网购"),
])
def test_index_words_hold_chinese_abbreviations(text, short) -> None:
    assert short in segment(text).words.split()


def test_abbreviations_skip_stopwords() -> None:
    words, _ = query_terms("公司不交社保可以辞职吗")
    assert {"社保", "辞职"} <= set(words) and not {"社可", "可辞", "社辞"} & set(words)
