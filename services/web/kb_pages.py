"""The admin console's knowledge-base pages (admins only): collections, their access, documents, uploads
with progress, re-indexing and a search that shows the stored (redacted) passages.

    GET  /hushdesk/admin/kb                   collections (documents, passages, access); create form
    GET  /hushdesk/admin/kb/collection?name=  one collection: documents, upload, access, search, re-index,
                                              delete (?done=<notice code>, and the upload's counts)
    POST /hushdesk/admin/kb/collections       action=create|delete|grant|revoke (delete needs confirm=yes)
    POST /hushdesk/admin/kb/documents         action=remove|reindex
    POST /hushdesk/admin/kb/search            renders the collection page with the top results (a POST,
                                              so the question never sits in a URL)
    POST /hushdesk/admin/kb/upload            multipart form (files; redirects back with counts), or one
                                              file as the raw body from kb_upload.js (X-Filename,
                                              X-Collection percent-encoded, X-CSRF-Token): JSON result

Every post is checked like the admin page's forms: admin role, same origin, the session's form token. The
size limit (HUSHDESK_KB_MAX_FILE_MB) is checked on Content-Length before anything is read, then while the
body streams in: an oversized upload is refused having been neither kept whole in memory nor stored. The
plain form's files are parsed in memory (never spooled to a temporary file on disk).
Every action is audited through `SignIn.admin_action` with a fixed action name and the collection's name
as the target (stored as a keyed hash); never a document's name, a question or any text.

The knowledge base is the runtime's own (`Runtime.knowledge_base`): the chat's redactor, the embedding
engine when one is configured, one instance per process.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import unicodedata
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable
from urllib.parse import unquote, urlencode

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from ..auth.sessions import Claims
from ..errors import HushdeskError
from ..i18n import LANGUAGES, MESSAGES, text
from ..kb.index import KbError, KnowledgeBase
from ..kb.parse import KINDS, DocumentRejected
from .pages import Pages, notice_text, page_language

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["KbPages", "source_from_filename", "reject_text", "BASE"]

BASE = "/hushdesk/admin/kb"
_FORBIDDEN = "Forbidden. 无权访问。"
_MAX_FILES = 20  # files in one plain form post
# The plain form posts its files together: up to this many files at the per-file limit (or more, smaller
# ones), held in memory while they are added (never spooled to a temporary file on disk: a document is
# stored only redacted, in the encrypted store).
_FORM_FILES_AT_LIMIT = 4
_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the files
_DONE = ("kb-created", "kb-deleted", "kb-granted", "kb-revoked", "kb-removed", "kb-reindexed")
_ROLE_GRANTEES = ("role:staff", "role:admin")
_COUNTS = ("added", "replaced", "unchanged", "refused")
_REJECTS = {key.removeprefix("kb.reject."): re.compile(re.escape(entry["en"]).replace(re.escape("{mb}"), r"(?P<mb>\d+)"))
            for key, entry in MESSAGES.items() if key.startswith("kb.reject.")}


class _TooLarge(Exception):
    """The request body grew past the limit while it was being read."""


def source_from_filename(name: object) -> str | None:
    """An uploaded file's name as a source: its last path part, without control or format characters, at
    most 200 characters (the extension kept); None when nothing usable is left."""
    if not isinstance(name, str):
        return None
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C")).strip()
    if name in ("", ".", ".."):
        return None
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def reject_code(exc: DocumentRejected) -> tuple[str, dict[str, str]]:
    """The fixed refusal's slug (kb.reject.<slug>) and its field, or ("", {}) for a message not listed."""
    for slug, pattern in _REJECTS.items():
        found = pattern.fullmatch(exc.message)
        if found:
            return slug, found.groupdict()
    return "", {}


def reject_text(exc: DocumentRejected, lang: str) -> str:
    """A refusal's fixed message in `lang` (its English text when not listed: it is fixed and safe)."""
    slug, fields = reject_code(exc)
    return text("kb.reject." + slug, lang, **fields) if slug else exc.message


def _counts_text(counts: dict[str, int], lang: str) -> str:
    return ", ".join(f"{label} {n}" for label, n in sorted(counts.items())) or text("kb.none", lang)


def result_text(status: str, passages: int, redactions: dict[str, int], lang: str) -> str:
    return text("kb.result." + status, lang, passages=passages, redactions=_counts_text(redactions, lang))


def grantee_text(grantee: str, lang: str) -> str:
    kind, _, value = grantee.partition(":")
    if kind == "role":
        return text("kb.grantee.role", lang, role=text("role." + value, lang) if f"role.{value}" in MESSAGES else value)
    return text("kb.grantee.group", lang, name=value)


class KbPages:
    """The knowledge-base pages and posts, bound to one runtime. `claims(request, role)` and
    `same_origin(request)` are the routes' own checks; `pages` renders."""

    def __init__(self, runtime: "Runtime", pages: Pages, claims: Callable[[Request, str], Claims | Response],
                 same_origin: Callable[[Request], bool]) -> None:
        self.runtime = runtime
        self.pages = pages
        self.claims = claims
        self.same_origin = same_origin

    # The knowledge base ----------------------------------------------------------------------------

    async def kb(self) -> KnowledgeBase:
        """The runtime's knowledge base: the chat's redactor and, when configured, its embedding engine."""
        return self.runtime.knowledge_base

    @property
    def max_bytes(self) -> int:
        return int(self.runtime.settings.kb_max_file_mb) * 2**20

    # Pages -----------------------------------------------------------------------------------------

    async def index(self, request: Request, claims: Claims) -> Response:
        lang = page_language(request)
        kb = await self.kb()
        collections = await asyncio.to_thread(kb.collections)
        done = request.query_params.get("done", "")
        return self.pages.render(
            request, claims, "kb.html", lang, {}, title=text("kb.title", lang), base=BASE,
            collections=[{"info": c, "access": [grantee_text(g, lang) for g in c.grantees]} for c in collections],
            notice=notice_text(done, lang), notice_css="ok" if done in _DONE else "bad")

    async def collection(self, request: Request, claims: Claims, *, search: dict | None = None,
                         name: str | None = None) -> Response:
        lang = page_language(request)
        name = request.query_params.get("name", "") if name is None else name
        kb = await self.kb()
        infos = {c.name: c for c in await asyncio.to_thread(kb.collections)}
        info = infos.get(name)
        if info is None:
            return RedirectResponse(f"{BASE}?done=kb_unknown_collection", status_code=303)
        documents = await asyncio.to_thread(kb.documents, name)
        done = request.query_params.get("done", "")
        notice, css = notice_text(done, lang), "ok" if done in _DONE else "bad"
        if done == "kb-uploaded":
            counts = {k: _int(request.query_params.get(k)) for k in _COUNTS}
            notice, css = text("kb.uploaded", lang, **counts), "bad" if counts["refused"] else "ok"
            why = request.query_params.get("why", "")
            if f"kb.reject.{why}" in MESSAGES:
                notice += " " + text("kb.result.refused", lang,
                                     reason=text("kb.reject." + why, lang, mb=self.runtime.settings.kb_max_file_mb))
        elif done == "kb-too-large":
            notice, css = text("kb.reject.too_large", lang, mb=self.runtime.settings.kb_max_file_mb), "bad"
        grantees = set(info.grantees)
        other = next(x for x in LANGUAGES if x != lang)
        return self.pages.render(
            request, claims, "kb_collection.html", lang, {"name": name},
            # The switch always leads to this collection's page (a search is a POST, not repeated).
            switch_href=f"{BASE}/collection?" + urlencode({"name": name, "lang": other}),
            title=text("kb.collection_title", lang, name=name), base=BASE, info=info,
            access=[(g, grantee_text(g, lang)) for g in info.grantees],
            role_options=[g for g in _ROLE_GRANTEES if g not in grantees],
            documents=[{"doc": d, "redactions": _counts_text(d.redactions, lang)} for d in documents],
            notice=notice, notice_css=css, search=search, mb=self.runtime.settings.kb_max_file_mb,
            accept=",".join(sorted(KINDS)), script_text={k: text(k, lang) for k in _SCRIPT_TEXT},
            scripts=("/hushdesk/static/kb_upload.js",))

    # Posts -----------------------------------------------------------------------------------------

    def _token_ok(self, claims: Claims, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.pages.csrf(claims))

    async def _admin_form(self, request: Request) -> tuple[Claims, Any] | Response:
        claims = self.claims(request, "admin")
        if isinstance(claims, Response):
            return claims
        if not self.same_origin(request):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        form = await request.form()
        if not self._token_ok(claims, form.get("csrf")):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        return claims, form

    async def _audit(self, claims: Claims, action: str, collection: str | None) -> None:
        await self.runtime.signin.admin_action(claims.user, action, collection)

    async def change_collection(self, request: Request) -> Response:
        checked = await self._admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, form = checked
        action, name = form.get("action"), form.get("name")
        if action not in ("create", "delete", "grant", "revoke") or not isinstance(name, str):
            return PlainTextResponse("Unknown action.", status_code=400)
        kb = await self.kb()
        back = f"{BASE}/collection?" + urlencode({"name": name.strip()})
        try:
            if action == "create":
                info = await asyncio.to_thread(kb.create_collection, name)
                await self._audit(claims, "kb_create_collection", info.name)
                return _see(f"{BASE}/collection?" + urlencode({"name": info.name, "done": "kb-created"}))
            if action == "delete":
                if form.get("confirm") != "yes":
                    return _see(back + "&done=kb-confirm")
                await asyncio.to_thread(kb.delete_collection, name)
                await self._audit(claims, "kb_delete_collection", name)
                return _see(f"{BASE}?done=kb-deleted")
            grantee = _grantee(form)
            if grantee is None:
                return _see(back + "&done=kb-grantee")
            await asyncio.to_thread(kb.grant if action == "grant" else kb.revoke, name, grantee)
            await self._audit(claims, f"kb_{action}", name)
            return _see(back + ("&done=kb-granted" if action == "grant" else "&done=kb-revoked"))
        except KbError as exc:
            where = BASE if action == "create" or exc.notice == "kb_unknown_collection" else back
            return _see(where + ("&" if "?" in where else "?") + "done=" + exc.notice)

    async def change_documents(self, request: Request) -> Response:
        checked = await self._admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, form = checked
        action, name, source = form.get("action"), form.get("collection"), form.get("source")
        if action not in ("remove", "reindex") or not isinstance(name, str) or (
                action == "remove" and not isinstance(source, str)):
            return PlainTextResponse("Unknown action.", status_code=400)
        kb = await self.kb()
        back = f"{BASE}/collection?" + urlencode({"name": name})
        try:
            if action == "remove":
                if not await asyncio.to_thread(kb.remove, source, name):
                    return _see(back + "&done=kb-missing")
                await self._audit(claims, "kb_remove_document", name)
                return _see(back + "&done=kb-removed")
            await asyncio.to_thread(kb.reindex, name)
            await self._audit(claims, "kb_reindex", name)
            return _see(back + "&done=kb-reindexed")
        except KbError as exc:
            return _see(f"{BASE}?done={exc.notice}")

    async def search(self, request: Request) -> Response:
        checked = await self._admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, form = checked
        name, question = form.get("collection"), form.get("q")
        if not isinstance(name, str) or not isinstance(question, str):
            return PlainTextResponse("Unknown action.", status_code=400)
        question = question.strip()[:2000]
        kb = await self.kb()
        result = None
        if question:
            try:
                result = await asyncio.to_thread(lambda: kb.search(question, collections=[name], k=5))
            except KbError as exc:
                return _see(f"{BASE}?done={exc.notice}")
            await self._audit(claims, "kb_search", name)
        # The question is shown back as typed (the admin's own words, in this response only, never a URL).
        return await self.collection(request, claims, name=name, search={"q": question, "result": result})

    async def upload(self, request: Request) -> Response:
        claims = self.claims(request, "admin")
        if isinstance(claims, Response):
            return claims
        if not self.same_origin(request):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            return await self._upload_form(request, claims)
        return await self._upload_one(request, claims)

    async def _upload_one(self, request: Request, claims: Claims) -> Response:
        """One file as the raw body (kb_upload.js): a JSON result."""
        lang = page_language(request)
        if not self._token_ok(claims, request.headers.get("x-csrf-token")):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        collection = unquote(request.headers.get("x-collection", ""))
        source = source_from_filename(unquote(request.headers.get("x-filename", "")))
        too_large = {"ok": False, "error": "too_large",
                     "message": text("kb.reject.too_large", lang, mb=self.runtime.settings.kb_max_file_mb)}
        if _declared(request) > self.max_bytes:
            return JSONResponse(too_large, status_code=413)  # refused before a byte of it is read
        if source is None:
            return JSONResponse({"ok": False, "error": "no_name", "message": text("kb.reject.no_name", lang)},
                                status_code=400)
        try:
            data = await _read_capped(request.stream(), self.max_bytes)
        except _TooLarge:
            return JSONResponse(too_large, status_code=413)
        outcome = await self._add(claims, data, source, collection, lang)
        return JSONResponse(outcome, status_code=200 if outcome["ok"] else 422)

    async def _upload_form(self, request: Request, claims: Claims) -> Response:
        """The plain form (no script): each file up to the limit, all together up to _FORM_FILES_AT_LIMIT
        times it, held in memory; redirect back with the counts."""
        lang = page_language(request)
        collection = request.query_params.get("collection", "")  # in the form's action: known before the body
        back = f"{BASE}/collection?" + urlencode({"name": collection})
        total = self.max_bytes * _FORM_FILES_AT_LIMIT + _FORM_OVERHEAD
        if _declared(request) > total:
            return _see(back + "&done=kb-too-large")  # refused before a byte of it is read
        capped = Request(request.scope, _capped_receive(request.receive, total))
        try:
            form = await _form_in_memory(capped, total)
        except _TooLarge:
            return _see(back + "&done=kb-too-large")
        except MultiPartException:
            return _see(back + "&done=kb-no-files")  # a malformed or over-full form: nothing was added
        try:
            if not self._token_ok(claims, form.get("csrf")):
                return PlainTextResponse(_FORBIDDEN, status_code=403)
            files = [f for f in form.getlist("files") if not isinstance(f, str) and f.filename]
            if not files:
                return _see(back + "&done=kb-no-files")
            counts = dict.fromkeys(_COUNTS, 0)
            why = ""
            for upload in files:
                source = source_from_filename(upload.filename)
                if upload.size is not None and upload.size > self.max_bytes:
                    counts["refused"] += 1
                    why = why or "too_large"
                    continue
                if source is None:
                    counts["refused"] += 1
                    why = why or "no_name"
                    continue
                outcome = await self._add(claims, await upload.read(), source, collection, lang)
                counts[outcome.get("status", "refused")] += 1
                why = why or outcome.get("error", "")
            query = {"name": collection, "done": "kb-uploaded", **{k: str(v) for k, v in counts.items()}}
            if why in _REJECTS:
                query["why"] = why
            return _see(f"{BASE}/collection?" + urlencode(query))
        finally:
            await form.close()

    async def _add(self, claims: Claims, data: bytes, source: str, collection: str, lang: str) -> dict[str, Any]:
        """Add one file; the result as the script shows it (no document text, the source as named)."""
        kb = await self.kb()
        try:
            done = await asyncio.to_thread(kb.add_bytes, data, source, source, collection)
        except DocumentRejected as exc:
            await self._audit(claims, "kb_upload_refused", collection)
            slug, _ = reject_code(exc)
            return {"ok": False, "source": source, "error": slug or "rejected", "message": reject_text(exc, lang)}
        except KbError as exc:
            return {"ok": False, "source": source, "error": exc.notice, "message": notice_text(exc.notice, lang)}
        except HushdeskError:
            return {"ok": False, "source": source, "error": "failed", "message": text("notice.kb_failed", lang)}
        await self._audit(claims, "kb_upload_" + done.status, collection)
        return {"ok": True, "source": source, "status": done.status, "passages": done.passages,
                "redactions": done.redactions, "sha256": done.sha256,
                "message": result_text(done.status, done.passages, done.redactions, lang)}


_SCRIPT_TEXT = ("kb.js.waiting", "kb.js.sending", "kb.js.processing", "kb.js.failed", "kb.js.progress")


def _see(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else 0


def _declared(request: Request) -> int:
    """The body's declared length (0 when absent or malformed: the streamed read still caps it)."""
    raw = request.headers.get("content-length", "")
    return int(raw) if raw.isdigit() else 0


def _grantee(form: Any) -> str | None:
    kind = form.get("grantee")
    if kind in _ROLE_GRANTEES:
        return kind
    if kind == "group":
        group = form.get("group")
        if isinstance(group, str) and 1 <= len(group.strip()) <= 128 and not any(
                c.isspace() or unicodedata.category(c).startswith("C") for c in group.strip()):
            return "group:" + group.strip()
    if isinstance(kind, str) and kind.startswith("group:"):  # a revoke names the grant as listed
        value = kind.removeprefix("group:")
        if 1 <= len(value) <= 128 and not any(c.isspace() or unicodedata.category(c).startswith("C") for c in value):
            return kind
    return None


class _InMemoryParser(MultiPartParser):
    """Starlette's multipart parser with every file kept in memory (its default spools a file over 1 MB to
    a temporary file on disk, where an unredacted document must never be)."""

    spool_max_size = 2**62  # the body is capped before parsing (_capped_receive): this is never reached


async def _form_in_memory(request: Request, limit: int) -> FormData:
    """The request's multipart form, files in memory; its body is already capped at `limit` bytes."""
    async def stream() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            yield chunk
    parser = _InMemoryParser(request.headers, stream(), max_files=_MAX_FILES, max_fields=10, max_part_size=64 * 1024)
    return await parser.parse()


async def _read_capped(stream: AsyncIterator[bytes], limit: int) -> bytes:
    """The body, refused (_TooLarge) as soon as it grows past `limit`: never more than that held."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def _capped_receive(receive: Callable, limit: int) -> Callable:
    """An ASGI receive that raises _TooLarge once more than `limit` body bytes arrived."""
    seen = 0

    async def wrapped() -> Any:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge()
        return message

    return wrapped
