"""Reading pages as a browser's parser does (for the page tests). Not named `html`: the stand-in engines
put this folder on sys.path, where that name would hide the standard library's `html`."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["Tags"]


class Tags(HTMLParser):
    """Every tag and attribute name of a page, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.update(name for name, _ in attrs)
