"""A copy of Chainlit's built frontend that loads nothing from outside this server.

Chainlit's `frontend/dist/index.html` hard-codes Google Fonts (with preconnects to fonts.googleapis.com
and fonts.gstatic.com) and KaTeX's CSS from cdn.jsdelivr.net. `.chainlit/config.toml` points
`[UI] custom_build` at `FRONTEND_DIR`, a copy of the installed package's `dist` made here with those
tags removed and the source maps left out, and hushdesk's own stylesheet and script added: the Inter
font (Latin subset, 400/500/700) is served from `services/web/static/fonts/` by the app itself; KaTeX is
not needed (LaTeX rendering is off). The copy records the Chainlit version and a digest of
the original `index.html`; it is rebuilt whenever either changes (a Chainlit upgrade), by set-up
(`python -m services.ops.bootstrap`, run by `make run`) before `chainlit run` starts.

This module does not import chainlit: it finds the package on disk.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
import shutil
from pathlib import Path

from ..errors import HushdeskError

FRONTEND_DIR = ".hushdesk-frontend"
# hushdesk's own script (services/web/static/hushdesk.js, served by services/web/routes.py): sends the page to
# the login page, saying why, when the session ends. Bump _INJECT_VERSION when this tag changes.
_INJECT = ('<link rel="stylesheet" href="/hushdesk/static/fonts.css">'
           '<script src="/hushdesk/static/hushdesk.js" defer></script>')
_INJECT_VERSION = "2"
_STAMP = ".hushdesk-source"
# Tags in index.html that reach another host: preconnects, the web font, the KaTeX stylesheet.
_EXTERNAL_TAG = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.S)
_ANY_EXTERNAL = re.compile(r"(?:href|src)=\"(?:https?:)?//", re.I)


class FrontendError(HushdeskError):
    """The frontend copy could not be built."""

    outcome = "config_error"
    default_message = ("hushdesk cannot prepare its frontend: the chainlit package's built frontend is "
                       "missing or not as expected.")


def chainlit_dist() -> Path:
    """The installed chainlit package's built frontend (`frontend/dist`), found without importing it."""
    spec = importlib.util.find_spec("chainlit")
    if spec is None or spec.origin is None:
        raise FrontendError()
    dist = Path(spec.origin).parent / "frontend" / "dist"
    if not (dist / "index.html").is_file():
        raise FrontendError()
    return dist


def strip_external(html: str) -> str:
    """index.html without tags that load from another host, with hushdesk's script; FrontendError if
    any external reference is left."""
    out = _EXTERNAL_TAG.sub("", html)
    if _ANY_EXTERNAL.search(out) or "</head>" not in out:
        raise FrontendError()
    return out.replace("</head>", _INJECT + "</head>", 1)


def _source_id(dist: Path) -> str:
    version = importlib.metadata.version("chainlit")
    digest = hashlib.sha256((dist / "index.html").read_bytes()).hexdigest()[:16]
    return f"chainlit {version} index {digest} hushdesk {_INJECT_VERSION}\n"


def ensure_frontend(root: Path, dist: Path | None = None) -> Path:
    """Build `root/FRONTEND_DIR` from the installed frontend unless it is current; return its path."""
    dist = chainlit_dist() if dist is None else dist
    target = root / FRONTEND_DIR
    source = _source_id(dist)
    stamp = target / _STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == source:
        return target
    building = root / (FRONTEND_DIR + ".building")
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(dist, building, ignore=shutil.ignore_patterns("*.map"))
    index = building / "index.html"
    index.write_text(strip_external(index.read_text(encoding="utf-8")), encoding="utf-8")
    (building / _STAMP).write_text(source, encoding="utf-8")
    old = root / (FRONTEND_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def served_refusal(root: Path, served: Path) -> str | None:
    """Why the app must not start serving `served` (the build the UI framework chose before the app
    module ran), or None: only the current copy without external requests may be served. A missing or
    outdated copy is rebuilt here, so a restart serves it."""
    try:
        built = ensure_frontend(root)
    except (FrontendError, OSError):
        return FrontendError.default_message
    if served.resolve() != built.resolve():  # the framework fell back to its own build (Google Fonts, jsdelivr)
        return (f"its frontend copy ({FRONTEND_DIR}) was missing or outdated and has been rebuilt; start hushdesk "
                "again (`make run` does this before starting).")
    return None
