"""The frontend copy that loads nothing from other hosts (the browser test proves it in Chromium)."""

from __future__ import annotations

import re

import pytest

from services.web.frontend import FRONTEND_DIR, FrontendError, chainlit_dist, ensure_frontend, strip_external

INDEX = """<!doctype html><html><head>
<link rel="preconnect" href="https://fonts.googleapis.com" />
<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin />
<!-- FONT START -->
<link
  href="https://fonts.googleapis.com/css2?family=Inter&display=swap"
  rel="stylesheet"
/>
<!-- FONT END -->
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.16.22/dist/katex.min.css" />
<script type="module" crossorigin src="/assets/index-X.js"></script>
<link rel="stylesheet" crossorigin href="/assets/index-X.css">
</head><body><div id="root"></div></body></html>
"""


def fake_dist(tmp_path, index=INDEX):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(index, encoding="utf-8")
    (dist / "assets" / "index-X.js").write_text("console.log(1)", encoding="utf-8")
    (dist / "assets" / "index-X.js.map").write_text("{}", encoding="utf-8")
    return dist


def test_copy_drops_external_tags_and_source_maps(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    built = ensure_frontend(root, fake_dist(tmp_path))
    assert built == root / FRONTEND_DIR
    html = (built / "index.html").read_text(encoding="utf-8")
    assert "googleapis" not in html and "gstatic" not in html and "jsdelivr" not in html
    assert 'src="/assets/index-X.js"' in html and 'href="/assets/index-X.css"' in html
    assert "<!-- FONT START -->" in html  # Chainlit's own markers stay (it fills them from a theme)
    # hushdesk's own stylesheet (local fonts) and session script, from this server only.
    assert '<link rel="stylesheet" href="/hushdesk/static/fonts.css">' in html
    assert '<script src="/hushdesk/static/hushdesk.js" defer></script></head>' in html
    assert (built / "assets" / "index-X.js").exists()
    assert not list(built.rglob("*.map"))


def test_copy_is_kept_until_the_source_changes(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    dist = fake_dist(tmp_path)
    built = ensure_frontend(root, dist)
    marker = built / "assets" / "kept.txt"
    marker.write_text("x", encoding="utf-8")
    ensure_frontend(root, dist)
    assert marker.exists()  # current: untouched
    (dist / "index.html").write_text(INDEX.replace("index-X", "index-Y"), encoding="utf-8")
    rebuilt = ensure_frontend(root, dist)
    assert not marker.exists()  # a new Chainlit build: rebuilt from scratch
    assert "index-Y" in (rebuilt / "index.html").read_text(encoding="utf-8")
    assert not list(root.glob(FRONTEND_DIR + ".*"))  # no leftovers


@pytest.mark.parametrize("extra", [
    '<script src="https://cdn.example.com/x.js"></script>',
    '<img src="//cdn.example.com/pixel.gif">',
])
def test_any_other_external_reference_refuses_to_build(tmp_path, extra):
    with pytest.raises(FrontendError) as info:
        strip_external(INDEX.replace("</head>", extra + "</head>"))
    assert "example.com" not in info.value.message


def test_the_installed_chainlit_frontend_builds_clean(tmp_path):
    built = ensure_frontend(tmp_path, chainlit_dist())
    html = (built / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"(?:href|src)=\"(?:https?:)?//", html)
    assert re.search(r'src="/assets/index-[^"]+\.js"', html)
