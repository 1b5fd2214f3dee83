"""Real files of every type the knowledge base reads, made here with the libraries that write them
(reportlab for PDF, with its built-in Chinese font; python-docx; openpyxl), never copied from anywhere."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import openpyxl
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

__all__ = ["pdf", "docx_file", "xlsx", "csv_file", "write_all"]

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def pdf(path: Path, pages: list[list[tuple[str, str]]], *, outline: bool = True, password: str | None = None) -> Path:
    """A PDF with one list of (heading, text) per page; headings in the outline when `outline`."""
    c = canvas.Canvas(str(path))
    for number, sections in enumerate(pages, start=1):
        y = 780
        for i, (heading, text) in enumerate(sections):
            key = f"p{number}s{i}"
            c.bookmarkPage(key)
            if outline:
                c.addOutlineEntry(heading, key, level=0)
            c.setFont("STSong-Light", 14)
            c.drawString(72, y, heading)
            y -= 22
            c.setFont("STSong-Light", 11)
            for line in text.split("\n"):
                c.drawString(72, y, line)
                y -= 16
            y -= 10
        c.showPage()
    c.save()
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(str(path)))
        writer.encrypt(password)
        with path.open("wb") as fh:
            writer.write(fh)
    return path


def docx_file(path: Path, blocks: list[tuple[str, str]], table: list[list[str]] | None = None) -> Path:
    """A DOCX of ("h1"|"h2"|"p", text) blocks and an optional table at the end."""
    document = docx.Document()
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1]))
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for col, value in enumerate(row):
                grid.cell(r, col).text = value
    document.save(str(path))
    return path


def xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(str(path))
    return path


def csv_file(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_all(folder: Path) -> dict[str, Path]:
    """One file of each type, Chinese and English, some holding personal data."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "pdf": pdf(folder / "returns.pdf", [[("第一章 退货", "签收后七日内可以无理由退货。\n定制商品不适用。")],
                                            [("Chapter 2 Refunds", "Refunds reach the original card within 5 days.")]]),
        "docx": docx_file(folder / "warranty.docx", [("h1", "保修说明"), ("p", "整机保修一年。"),
                                                     ("h2", "Battery"), ("p", "The battery is covered for six months.")],
                          table=[["部件", "保修期"], ["屏幕", "六个月"]]),
        "xlsx": xlsx(folder / "faq.xlsx", [["问题", "答案"], ["会员积分怎么兑换？", "在会员中心的积分商城兑换礼品。"],
                                            ["How do I change my address?", "Edit it under Account, Addresses."]]),
        "csv": csv_file(folder / "faq.csv", [["question", "answer"],
                                             ["Can I pay by invoice?", "Yes, business accounts can pay by invoice."]]),
    }
    (folder / "shipping.md").write_text("# 配送\n\n## 配送时间\n\n下单后两天内发货，联系人张伟，电话13812345678。\n\n"
                                        "## Express\n\nExpress delivery takes one day.\n", encoding="utf-8")
    (folder / "privacy.html").write_text("<html><head><title>Privacy</title></head><body><h1>Privacy</h1>"
                                         "<h2>Data we keep</h2><p>We keep your order history for two years.</p>"
                                         "<script>var x = 'not text';</script></body></html>", encoding="utf-8")
    (folder / "hours.txt").write_text("营业时间\n=====\n\n客服热线每天9点到21点在线。\n\n1. Holidays\n\nClosed on New Year's Day.\n",
                                      encoding="utf-8")
    files.update(md=folder / "shipping.md", html=folder / "privacy.html", txt=folder / "hours.txt")
    return files
