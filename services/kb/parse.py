"""Files into sections: (heading, the headings above it, page, text), with well-kept parsers only.

PDF (pypdf: the outline gives headings and their pages; otherwise lines set larger than the body text
and numbered heading lines), DOCX
(python-docx: Heading/标题 styles, tables in document order), Markdown (markdown-it-py), HTML
(BeautifulSoup with the standard library's parser), plain text, and FAQ spreadsheets (XLSX through
openpyxl, CSV): one section per question-answer row, headed by its question.

A file is checked against what it claims to be before it is parsed: a PDF starts with `%PDF-`, a DOCX
or XLSX is a ZIP holding the part its format needs, an encrypted PDF or an Office file in the old or
encrypted container is refused, text must decode as UTF-8 (or GB18030, common for Chinese files).
Every refusal is a `DocumentRejected` with a fixed message; parser exceptions never escape with their text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import docx
import openpyxl
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from markdown_it import MarkdownIt

from ..errors import HushdeskError

__all__ = ["Section", "Parsed", "DocumentRejected", "parse_file", "parse_bytes", "KINDS"]

KINDS = {".pdf": "pdf", ".docx": "docx", ".md": "markdown", ".markdown": "markdown", ".html": "html",
         ".htm": "html", ".txt": "text", ".text": "text", ".xlsx": "xlsx", ".csv": "csv"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files and password-protected new ones
# A numbered heading line: 1. / 1.2 / 第三章 / 第十二条 / 一、 followed by a short title, no sentence end.
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|第[一二三四五六七八九十百零〇\d]{1,5}[章节条部分篇]|"
                       r"[一二三四五六七八九十]{1,3}[、.．])\s*\S.{0,48}$")
_SENTENCE_END = re.compile(r"[。！？!?；;:：,，]\s*$|\.\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


class DocumentRejected(HushdeskError):
    """A file that cannot be taken into the knowledge base; the message says why, never its content."""

    outcome = "document_rejected"
    default_message = "The file could not be read."
    notice = "rejected"


@dataclass(frozen=True)
class Section:
    """Text under one heading. `heading` is the nearest heading's exact text (None before the first);
    `path` holds the headings above it, outermost first; `page` is 1-based for PDFs, else None."""

    heading: str | None
    path: tuple[str, ...]
    page: int | None
    text: str


@dataclass(frozen=True)
class Parsed:
    """A parsed file: its title (first heading, the PDF's title or the file name) and its sections."""

    title: str
    kind: str
    sections: tuple[Section, ...]
    pages: int | None


def _reject(message: str) -> DocumentRejected:
    return DocumentRejected(message)


def parse_file(path: Path, *, max_bytes: int) -> Parsed:
    """Parse the file at `path` (its suffix names the claimed type)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise _reject("The file could not be read.") from None
    if size > max_bytes:
        raise _reject(f"The file is larger than the limit ({max_bytes // 2**20} MB).")
    try:
        data = path.read_bytes()
    except OSError:
        raise _reject("The file could not be read.") from None
    return parse_bytes(data, path.name, max_bytes=max_bytes)


def parse_bytes(data: bytes, name: str, *, max_bytes: int) -> Parsed:
    """Parse `data`, a file called `name` (its suffix names the claimed type)."""
    kind = KINDS.get(Path(name).suffix.lower())
    if kind is None:
        raise _reject("This file type is not supported (PDF, DOCX, Markdown, HTML, text, XLSX or CSV).")
    if len(data) > max_bytes:
        raise _reject(f"The file is larger than the limit ({max_bytes // 2**20} MB).")
    if not data.strip():
        raise _reject("The file is empty.")
    stem = Path(name).stem
    try:
        parsed = _PARSERS[kind](data, stem)
    except DocumentRejected:
        raise
    except Exception:  # noqa: BLE001 - a parser's message may quote the file; say only that it failed
        raise _reject("The file is damaged or not a valid file of its type.") from None
    sections = tuple(s for s in parsed.sections if s.text.strip() or s.heading)
    if not any(s.text.strip() for s in sections):
        raise _reject("No text was found in the file (a scanned PDF needs text recognition first).")
    return Parsed(parsed.title, kind, sections, parsed.pages)


# PDF -------------------------------------------------------------------------------------------


def _pdf(data: bytes, stem: str) -> Parsed:
    if not data.startswith(b"%PDF-"):
        raise _reject("The file is not a PDF, although its name says so.")
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise _reject("The PDF is encrypted; save an unprotected copy and add that.")
    marks = _outline(reader)
    sections: list[Section] = []
    path: tuple[str, ...] = ()
    heading: str | None = None
    buffer: list[str] = []

    def close(page: int, *, bare_heading: bool) -> None:
        text = "\n".join(buffer).strip()
        emitted = bool(sections) and sections[-1].heading == heading
        if text or (heading and bare_heading and not emitted):
            sections.append(Section(heading, path[:-1] if heading else path, page, text))
        buffer.clear()

    pages = reader.pages
    texts, sizes = _pdf_texts(pages, want_sizes=not marks)
    larger = _heading_sizes(sizes)
    for number, text in enumerate(texts, start=1):
        on_page = [m for m in marks if m[2] == number]
        for line in text.splitlines():
            stripped = " ".join(line.split())
            level = _pdf_heading(stripped, on_page, bool(marks))
            if level is None and larger and stripped in sizes and _could_head(stripped):
                level = larger.get(sizes[stripped][0])  # no outline: a line set larger than the body
            if level is None:
                if stripped and buffer and _wrapped(buffer[-1], stripped):
                    buffer[-1] += stripped  # a Chinese line wrapped mid-word: 退 / 款 is 退款
                elif stripped:
                    buffer.append(stripped)
                continue
            close(number, bare_heading=True)
            path = (*path[: level - 1], stripped)
            heading = stripped
        close(number, bare_heading=False)  # a section that runs on keeps its heading on the next page
    meta_title = reader.metadata.title if reader.metadata and reader.metadata.title else None
    if meta_title and str(meta_title).strip().lower() in ("untitled", "untitled document", "microsoft word"):
        meta_title = None
    first = next((s.heading for s in sections if s.heading), None)
    return Parsed(" ".join(str(meta_title or first or stem).split()) or stem, "pdf", tuple(sections), len(pages))


_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _wrapped(before: str, line: str) -> bool:
    """Whether `line` goes on the line `before` without a break: a page or a hard-wrapped text cuts
    Chinese lines anywhere, also inside a word (七天内可退 / 款), and a break there would split the word
    for keyword search."""
    return bool(before) and bool(line) and bool(_CJK_CHAR.match(before[-1])) and bool(_CJK_CHAR.match(line[0]))


def _pdf_texts(pages, *, want_sizes: bool) -> tuple[list[str], dict[str, tuple[float, int]]]:
    """Each page's text, and (for a PDF without an outline) each line's font size as set: {line: (size,
    characters set at it)}, from pypdf's text visitor (a line drawn in one run of one font)."""
    texts: list[str] = []
    sizes: dict[str, tuple[float, int]] = {}

    def visit(text, cm, tm, font, size) -> None:
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        effective = round(float(size) * scale * 2) / 2  # to half a point
        for part in str(text).split("\n"):
            key = " ".join(part.split())
            if key:
                old_size, count = sizes.get(key, (0.0, 0))
                sizes[key] = (max(old_size, effective), count + len(key))

    for page in pages:
        texts.append((page.extract_text(visitor_text=visit) if want_sizes else page.extract_text()) or "")
    return texts, sizes


def _heading_sizes(sizes: dict[str, tuple[float, int]]) -> dict[float, int]:
    """{font size: heading level} for the sizes at least 15 % above the body's (the size most characters
    are set in), largest first; at most three levels. Empty when no size stands out."""
    if not sizes:
        return {}
    weight: dict[float, int] = {}
    for size, count in sizes.values():
        weight[size] = weight.get(size, 0) + count
    body = max(weight, key=lambda s: (weight[s], -s))
    larger = sorted((s for s in weight if s >= body * 1.15), reverse=True)[:3]
    return {size: level for level, size in enumerate(larger, start=1)}


def _could_head(line: str) -> bool:
    """A line short enough to be a heading, not ending a sentence, holding a letter or a Chinese character."""
    return (len(line) <= 80 and not _SENTENCE_END.search(line)
            and any(ch.isalpha() or _CJK_CHAR.match(ch) for ch in line))


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int, int]]:
    """(title, level, page) of each outline entry."""
    out: list[tuple[str, int, int]] = []

    def walk(items: Iterable, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                out.append((" ".join(str(item.title).split()), level, reader.get_destination_page_number(item) + 1))
            except Exception:  # noqa: BLE001 - an outline entry without a page is skipped
                continue

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001 - a damaged outline: headings come from the lines instead
        return []
    return out


def _pdf_heading(line: str, marks: list[tuple[str, int, int]], outlined: bool) -> int | None:
    """The heading level of a PDF text line: an outline entry on its page, or (in a PDF without an
    outline) a numbered heading line."""
    if not line:
        return None
    for title, level, _ in marks:
        if line == title:
            return level
    if not outlined and _numbered_heading(line):
        return _numbered_level(line)
    return None


def _numbered_heading(line: str) -> bool:
    """A numbered heading line (`1.2 Delivery`, `第三条 退款`): short, no sentence end."""
    return bool(_NUMBERED.match(line)) and not _SENTENCE_END.search(line) and len(line) <= 50


def _numbered_level(line: str) -> int:
    """1 for `1.`, `第三章`, `一、`; 2 for `1.2`; 3 for `1.2.3`."""
    first = line.split()[0]
    return max(1, len(re.findall(r"\d+", first))) if first[0].isdigit() else 1


# DOCX ------------------------------------------------------------------------------------------


def _office_zip(data: bytes, part: str, what: str) -> zipfile.ZipFile:
    if data.startswith(_OLE):
        raise _reject(f"The {what} is encrypted or in the old format; save it as an unprotected {what}.")
    if not data.startswith(b"PK"):
        raise _reject(f"The file is not a {what}, although its name says so.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise _reject(f"The file is not a {what}, although its name says so.") from None
    if part not in names:
        raise _reject(f"The file is not a {what}, although its name says so.")
    return archive


def _docx_level(style: str) -> int | None:
    name = style.strip().lower()
    if name == "title":
        return 1
    match = re.match(r"^(?:heading|标题)\s*(\d)$", name)
    return int(match.group(1)) if match else None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _outline_level(element, style) -> int | None:
    """The outline level a paragraph or its style sets (w:outlineLvl 0-8 is level 1-9; 9 is body text):
    the headings of templates whose styles have their own names (`章标题`, `Custom Heading`)."""
    for holder in (element, getattr(style, "element", None)):
        found = holder.find(f"{_W}pPr/{_W}outlineLvl") if holder is not None else None
        if found is not None:
            value = found.get(f"{_W}val", "")
            return int(value) + 1 if value.isdigit() and int(value) < 9 else None
    return None


def _docx(data: bytes, stem: str) -> Parsed:
    _office_zip(data, "word/document.xml", "DOCX file")
    document = docx.Document(io.BytesIO(data))
    builder = _Builder()
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = paragraph.text.strip()
            level = _docx_level(paragraph.style.name if paragraph.style is not None else "")
            if level is None:
                level = _outline_level(child, paragraph.style)
            if level is None and _numbered_heading(text):
                level = _numbered_level(text)  # `第三条 退款`, `1.2 Delivery` typed without a heading style
            if level is not None and text:
                builder.heading(text, level)
            elif text:
                builder.text(text)
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells]
                line = " | ".join(dict.fromkeys(c for c in cells if c))
                if line:
                    builder.text(line)
    title = (document.core_properties.title or "").strip()
    return builder.parsed(title or builder.first_heading or stem, "docx")


# Markdown, HTML, text ----------------------------------------------------------------------------


class _Builder:
    """Collects text under headings in reading order."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.path: tuple[str, ...] = ()
        self.current: str | None = None
        self.buffer: list[str] = []
        self.first_heading: str | None = None

    def heading(self, text: str, level: int) -> None:
        self._close()
        text = " ".join(text.split())
        self.path = (*self.path[: max(0, level - 1)], text)
        self.current = text
        if self.first_heading is None:
            self.first_heading = text

    def text(self, text: str) -> None:
        if text.strip():
            self.buffer.append(text.strip())

    def _close(self) -> None:
        text = "\n".join(self.buffer).strip()
        if text or self.current:
            above = self.path[:-1] if self.current else self.path
            self.sections.append(Section(self.current, above, None, text))
        self.buffer = []

    def parsed(self, title: str, kind: str) -> Parsed:
        self._close()
        return Parsed(title, kind, tuple(self.sections), None)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise _reject("The file is not text in UTF-8 or GB18030, although its name says so.")


def _markdown(data: bytes, stem: str) -> Parsed:
    text = _decode(data)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    builder = _Builder()
    level: int | None = None
    for token in tokens:
        if token.type == "heading_open":
            level = int(token.tag[1:])
        elif token.type == "inline":
            if level is not None:
                builder.heading(token.content, level)
                level = None
            else:
                builder.text(token.content)
        elif token.type in ("fence", "code_block"):
            builder.text(token.content)
    return builder.parsed(builder.first_heading or stem, "markdown")


_BLOCKS = {"p", "div", "li", "tr", "td", "th", "dt", "dd", "pre", "blockquote", "section", "article", "br",
           "table", "ul", "ol", "dl", "main", "figcaption", "caption"}
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "svg", "button", "form", "iframe"}


def _html(data: bytes, stem: str) -> Parsed:
    text = _decode(data)
    if not re.search(r"<\s*(html|body|p|div|h[1-6]|table|ul|span|br)\b", text[:20000], re.I):
        raise _reject("The file is not HTML, although its name says so.")
    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    builder = _Builder()
    line: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(line).split())  # inline elements join as written (退<b>款</b> is 退款)
        if joined:
            builder.text(joined)
        line.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    line.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            if re.fullmatch(r"h[1-6]", child.name or ""):
                flush()
                heading = _inline_text(child)
                if heading:
                    builder.heading(heading, int(child.name[1]))
                continue
            block = child.name in _BLOCKS
            if block:
                flush()
            walk(child)
            if block:
                flush()

    walk(soup.body or soup)
    flush()
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else ""
    return builder.parsed(title or builder.first_heading or stem, "html")


def _inline_text(tag: Tag) -> str:
    """A heading's text as a browser shows it: its strings joined as written (`What is <code>npm</code>?`
    is `What is npm?`, `退<span>款</span>` is `退款`), a line break a space, whitespace collapsed."""
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name == "br":
            parts.append(" ")
        elif type(node) is NavigableString and not _inside_skipped(node, tag):
            parts.append(str(node))
    return " ".join("".join(parts).split())


def _inside_skipped(node: NavigableString, top: Tag) -> bool:
    """Whether `node` sits in a script, style... element below `top`."""
    for parent in node.parents:
        if parent is top:
            return False
        if parent.name in _SKIP:
            return True
    return False


def _text(data: bytes, stem: str) -> Parsed:
    text = _decode(data)
    builder = _Builder()
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if i and lines[i - 1].strip() and builder.buffer and _wrapped(builder.buffer[-1], line) and not (
                _MD_HEADING.match(line) or _NUMBERED.match(line)):
            builder.buffer[-1] += line  # a hard-wrapped Chinese line goes on: 退 / 款 is 退款
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        md = _MD_HEADING.match(line)
        if md:
            builder.heading(md.group(1), line.index(" "))
        elif nxt and set(nxt) <= set("=") and len(nxt) >= 3:
            builder.heading(line, 1)
        elif nxt and set(nxt) <= set("-") and len(nxt) >= 3:
            builder.heading(line, 2)
        elif set(line) <= set("=-") and len(line) >= 3:
            continue
        elif _numbered_heading(line):
            builder.heading(line, _numbered_level(line))
        else:
            builder.text(line)
    return builder.parsed(builder.first_heading or stem, "text")


# FAQ spreadsheets --------------------------------------------------------------------------------

_QUESTION = re.compile(r"^(q|question|questions|问题|问|提问|常见问题|faq)$", re.I)
_ANSWER = re.compile(r"^(a|answer|answers|答案|答|回答|解答|回复)$", re.I)


def _faq_rows(rows: Iterator[list[str]], sheet: str | None) -> list[Section]:
    rows = [[" ".join(str(c).split()) if c is not None else "" for c in row] for row in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    header = rows[0]
    q = next((i for i, c in enumerate(header) if _QUESTION.match(c)), None)
    a = next((i for i, c in enumerate(header) if _ANSWER.match(c)), None)
    body = rows[1:] if q is not None or a is not None else rows
    q = 0 if q is None else q
    a = next((i for i in range(len(header)) if i != q), None) if a is None else a
    out = []
    for row in body:
        question = row[q] if q < len(row) else ""
        answer = row[a] if a is not None and a < len(row) else ""
        others = " ".join(c for i, c in enumerate(row) if i not in (q, a) and c)
        if question or answer:
            text = "\n".join(x for x in (question, answer, others) if x)
            out.append(Section(question or None, (sheet,) if sheet else (), None, text))
    return out


def _xlsx(data: bytes, stem: str) -> Parsed:
    _office_zip(data, "xl/workbook.xml", "XLSX file")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sections: list[Section] = []
    try:
        several = len(book.sheetnames) > 1
        for sheet in book.worksheets:
            sections += _faq_rows(sheet.iter_rows(values_only=True), sheet.title if several else None)
    finally:
        book.close()
    return Parsed(stem, "xlsx", tuple(sections), None)


def _csv(data: bytes, stem: str) -> Parsed:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return Parsed(stem, "csv", tuple(_faq_rows(csv.reader(io.StringIO(text), dialect), None)), None)


_PARSERS = {"pdf": _pdf, "docx": _docx, "markdown": _markdown, "html": _html, "text": _text, "xlsx": _xlsx,
            "csv": _csv}
