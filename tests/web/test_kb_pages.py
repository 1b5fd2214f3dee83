"""The admin console's knowledge-base pages over ASGI: the real routes and a real knowledge base in a real
SQLCipher store, on a runtime that holds only what the pages use (settings, keys, the store, the chat's
redactor and a recorder of admin actions in place of the audited SignIn).

Admins only; every post checks origin and form token; real files of every type are uploaded (the script's
raw-body way and the plain form), refusals leave nothing stored, and no response ever carries a phone
number that is in a document.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from redaction import Redactor, build_detectors
from redaction.recognizers import load_layers
from services.kb.cli import open_kb
from services.auth.sessions import ACTIVE, Claims, Verdict
from services.i18n import text
from services.keys import hash_id
from services.store import transaction
from services.web.kb_pages import source_from_filename
from services.web.routes import routes
from services.web.security import csp_for
from tests.support.documents import write_all
from tests.support.html_tags import Tags

PEPPER = b"p" * 32
TOKEN = hash_id(PEPPER, "csrf", "sid-1")
PHONE = "13812345678"
CJK = re.compile(r"[\u4e00-\u9fff]")
KB = "/hushdesk/admin/kb"


@pytest.fixture
def settings_env(tmp_path: Path) -> dict[str, str]:
    return {"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_KB_MAX_FILE_MB": "1"}


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(build_detectors(), load_layers())


class Site:
    """The routes over one runtime; `as_role` changes the session guard's verdict; `actions` records the
    admin actions the pages audit."""

    def __init__(self, settings, store, redactor: Redactor) -> None:
        self.role = "admin"
        self.actions: list[tuple[str, str, str | None]] = []
        self.responses: list[str] = []

        async def admin_action(admin: str, action: str, target: str | None = None) -> None:
            self.actions.append((admin, action, target))

        knowledge = open_kb(settings, store, redactor=redactor)  # as the runtime builds it
        self.runtime = SimpleNamespace(settings=settings, keys=SimpleNamespace(pepper=PEPPER), knowledge_base=knowledge,
                                       audit=SimpleNamespace(engine=store),
                                       signin=SimpleNamespace(admin_action=admin_action),
                                       users=SimpleNamespace(list=lambda: []),
                                       sessions=SimpleNamespace(store=SimpleNamespace(open_count=lambda *a: {}),
                                                                max=3600, idle=600))
        self.inner = Starlette(routes=routes(self.runtime))  # type: ignore[arg-type]

    async def app(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["hushdesk_verdict"] = Verdict(ACTIVE, Claims("ada", self.role, "sid-1", 0.0))
        await self.inner(scope, receive, send)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hushdesk") as client:
                return await client.request(method, path, **kwargs)

        response = asyncio.run(go())
        self.responses.append(response.text + json.dumps(dict(response.headers)))
        return response

    def get(self, path: str, lang: str = "en") -> httpx.Response:
        return self.request("GET", path, headers={"Accept-Language": lang})

    def post(self, path: str, data: dict, origin: str = "null", **kwargs) -> httpx.Response:
        return self.request("POST", path, headers={"Origin": origin, **kwargs.pop("headers", {})},
                            data={"csrf": TOKEN, **data}, **kwargs)

    def upload(self, path: Path, collection: str = "policies", *, name: str | None = None, token: str = TOKEN,
               lang: str = "en", **headers: str) -> httpx.Response:
        """One file the way kb_upload.js sends it: the raw body, names percent-encoded in headers."""
        return self.request("POST", KB + "/upload", content=path.read_bytes(), headers={
            "Origin": "http://hushdesk", "Content-Type": "application/octet-stream", "Accept-Language": lang,
            "X-Filename": quote(name or path.name, safe=""), "X-Collection": quote(collection, safe=""),
            "X-CSRF-Token": token, **headers})

    def stored(self) -> dict[str, int]:
        with transaction(self.runtime.audit.engine) as conn:
            return {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar()
                    for t in ("kb_documents", "kb_chunks", "kb_fts")}


@pytest.fixture
def site(settings, store, redactor) -> Site:
    return Site(settings, store, redactor)


@pytest.fixture
def docs(tmp_path) -> dict[str, Path]:
    return write_all(tmp_path / "docs")


def collection_page(site: Site, name: str = "policies", lang: str = "en") -> str:
    response = site.get(f"{KB}/collection?name={quote(name)}", lang)
    assert response.status_code == 200, response.text
    return response.text


def test_only_admins_reach_the_pages_and_posts(site: Site, docs) -> None:
    for role in ("staff", "auditor"):
        site.role = role
        assert site.get(KB).status_code == 403
        assert site.get(f"{KB}/collection?name=policies").status_code == 403
        for path in ("/collections", "/documents", "/search"):
            assert site.post(KB + path, {"action": "create", "name": "x", "collection": "x", "q": "x"}).status_code == 403
        assert site.upload(docs["md"]).status_code == 403
    site.role = "admin"
    assert site.get(KB).status_code == 200
    assert site.stored() == {"kb_documents": 0, "kb_chunks": 0, "kb_fts": 0} and site.actions == []
    assert site.get(KB + "/upload").status_code == 405  # posts only


def test_a_wrong_token_or_another_origin_is_refused(site: Site, docs) -> None:
    assert site.post(KB + "/collections", {"action": "create", "name": "x", "csrf": "wrong"}).status_code == 403
    assert site.post(KB + "/collections", {"action": "create", "name": "x"}, origin="http://evil.test").status_code == 403
    assert site.request("POST", KB + "/collections", data={"csrf": TOKEN, "action": "create", "name": "x"}).status_code == 403
    assert site.upload(docs["md"], token="wrong").status_code == 403
    assert site.upload(docs["md"], Origin="http://evil.test").status_code == 403
    files = {"files": ("shipping.md", docs["md"].read_bytes(), "text/markdown")}
    assert site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "http://evil.test"},
                        data={"csrf": TOKEN}, files=files).status_code == 403
    assert site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                        data={"csrf": "wrong"}, files=files).status_code == 403
    assert site.stored()["kb_documents"] == 0 and site.get(KB).text.count("<tr>") == 0 and site.actions == []


def test_collections_are_created_listed_granted_revoked_and_deleted(site: Site) -> None:
    made = site.post(KB + "/collections", {"action": "create", "name": "policies"})
    assert made.status_code == 303 and made.headers["location"] == f"{KB}/collection?name=policies&done=kb-created"
    assert text("notice.kb-created", "en") in site.get(made.headers["location"]).text
    for grantee in ("role:staff", "group"):
        done = site.post(KB + "/collections", {"action": "grant", "name": "policies", "grantee": grantee,
                                               "group": "cs-team"})
        assert done.headers["location"].endswith("done=kb-granted")
    bad = site.post(KB + "/collections", {"action": "grant", "name": "policies", "grantee": "group", "group": "a b"})
    assert bad.headers["location"].endswith("done=kb-grantee")
    listing = site.get(KB).text
    assert ">policies</a>" in listing and "group cs-team, staff (role)" in listing
    page = collection_page(site)
    assert 'name="grantee" value="group:cs-team"' in page and '<option value="role:staff">' not in page
    site.post(KB + "/collections", {"action": "revoke", "name": "policies", "grantee": "group:cs-team"})
    assert "cs-team" not in site.get(KB).text and "staff (role)" in site.get(KB).text
    refused = site.post(KB + "/collections", {"action": "delete", "name": "policies"})  # not confirmed
    assert refused.headers["location"].endswith("done=kb-confirm") and ">policies</a>" in site.get(KB).text
    deleted = site.post(KB + "/collections", {"action": "delete", "name": "policies", "confirm": "yes"})
    assert deleted.headers["location"] == f"{KB}?done=kb-deleted"
    assert ">policies</a>" not in site.get(KB).text and text("kb.no_collections", "en") in site.get(KB).text
    assert [a[1] for a in site.actions] == ["kb_create_collection", "kb_grant", "kb_grant", "kb_revoke",
                                            "kb_delete_collection"]
    assert {a[2] for a in site.actions} == {"policies"} and {a[0] for a in site.actions} == {"ada"}
    gone = site.get(f"{KB}/collection?name=policies")
    assert gone.status_code == 303 and gone.headers["location"] == f"{KB}?done=kb_unknown_collection"
    assert site.post(KB + "/collections", {"action": "create", "name": "\x01"}).headers["location"] == (
        f"{KB}?done=kb_invalid_name")


def test_every_type_uploads_with_counts_and_a_second_upload_is_unchanged(site: Site, docs) -> None:
    for kind, path in docs.items():
        response = site.upload(path)
        body = response.json()
        assert response.status_code == 200 and body["ok"] and body["status"] == "added", (kind, body)
        assert body["source"] == path.name and body["passages"] >= 1 and len(body["sha256"]) == 64
    md = site.upload(docs["md"]).json()
    assert md["status"] == "unchanged" and md["message"].startswith("Unchanged")
    assert site.upload(docs["md"], lang="zh-CN").json()["message"].startswith("未变化")
    page = collection_page(site)
    for path in docs.values():
        assert f'<th scope="row">{path.name}</th>' in page
    row = re.search(r'<th scope="row">shipping.md</th>(.*?)</tr>', page, re.S).group(1)
    assert ">markdown<" in row and "PERSON 1, PHONE 1" in row and re.search(r"<code[^>]*>[0-9a-f]{12}</code>", row)
    assert ">2<" in re.search(r'<th scope="row">returns.pdf</th>(.*?)</tr>', page, re.S).group(1)  # pages
    uploads = [a[1] for a in site.actions]
    assert uploads.count("kb_upload_added") == len(docs) and uploads.count("kb_upload_unchanged") == 2
    assert PHONE not in "".join(site.responses)


def test_a_changed_file_replaces_its_passages(site: Site, docs) -> None:
    site.upload(docs["md"])
    docs["md"].write_text("# 配送\n\n## 配送时间\n\n下单后当天发货。\n", encoding="utf-8")
    body = site.upload(docs["md"]).json()
    assert body["status"] == "replaced" and body["passages"] == 1 and body["redactions"] == {}
    assert body["message"] == "Replaced (the file changed): 1 passages; redacted: none."


def test_a_file_that_is_not_what_its_name_says_is_refused_with_the_fixed_message(site: Site, tmp_path) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is a program, not a PDF " + PHONE.encode())
    response = site.upload(fake)
    assert response.status_code == 422
    assert response.json() == {"ok": False, "source": "report.pdf", "error": "not_pdf",
                               "message": "The file is not a PDF, although its name says so."}
    zh = site.upload(fake, lang="zh-CN").json()
    assert zh["message"] == text("kb.reject.not_pdf", "zh-CN") and CJK.search(zh["message"])
    unsupported = tmp_path / "tool.exe"
    unsupported.write_bytes(b"MZ")
    assert site.upload(unsupported).json()["error"] == "type"
    assert site.stored() == {"kb_documents": 0, "kb_chunks": 0, "kb_fts": 0}
    assert [a[1] for a in site.actions] == ["kb_upload_refused"] * 3 and PHONE not in "".join(site.responses)


def test_an_oversized_file_is_refused_before_it_is_read_or_stored(site: Site, tmp_path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a line of text.\n" * (2**20 // 16 + 100))  # just over 1 MB
    declared = site.upload(big)
    assert declared.status_code == 413 and declared.json()["error"] == "too_large"
    assert declared.json()["message"] == "The file is larger than the limit (1 MB)."

    # Without a Content-Length the streamed read stops at the limit.
    async def chunks():
        for _ in range(2**20 // 2**14 + 2):
            yield b"x" * 2**14

    streamed = site.request("POST", KB + "/upload", content=chunks(), headers={
        "Origin": "null", "Content-Type": "application/octet-stream", "X-Filename": "big.txt",
        "X-Collection": "policies", "X-CSRF-Token": TOKEN})
    assert streamed.status_code == 413 and "content-length" not in streamed.request.headers
    # The plain form: past the limit (and the form's small overhead) by its Content-Length, refused unread;
    # a file just over the limit inside a smaller form is refused on its own.
    bigger = big.read_bytes() * 5  # past four files at the limit: the plain form's total
    form = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                        data={"csrf": TOKEN}, files={"files": ("big.txt", bigger, "text/plain")})
    assert form.status_code == 303 and form.headers["location"] == f"{KB}/collection?name=policies&done=kb-too-large"
    one = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                       data={"csrf": TOKEN}, files={"files": ("big.txt", big.read_bytes(), "text/plain")})
    assert one.headers["location"].endswith("done=kb-uploaded&added=0&replaced=0&unchanged=0&refused=1&why=too_large")
    assert site.stored() == {"kb_documents": 0, "kb_chunks": 0, "kb_fts": 0} and site.actions == []
    site.post(KB + "/collections", {"action": "create", "name": "policies"})
    assert "The file is larger than the limit (1 MB)." in site.get(form.headers["location"]).text


def test_the_plain_form_takes_files_that_together_pass_one_files_limit_without_a_temporary_file(
        site: Site, monkeypatch) -> None:
    import tempfile

    disk: list[object] = []
    real = tempfile.TemporaryFile

    def recorded(*args, **kwargs):  # what a SpooledTemporaryFile rolls over to (an unnamed file on disk)
        disk.append(kwargs.get("dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", recorded)
    # A 2 MB limit: Starlette's parser would spool each of these 1.1 MB files (over its 1 MB) to disk.
    site.runtime.settings = dataclasses.replace(site.runtime.settings, kb_max_file_mb=2)
    site.runtime.knowledge_base.max_bytes = 2 * 2**20
    line = "退货请在七日内申请，运费由商家承担。\n"  # Chinese alone: redacted fastest (ingestion is the cost here)
    body = (line * (int(1.1 * 2**20) // len(line.encode()))).encode()  # 1.1 MB each, 2.2 MB together
    files = [("files", (f"part{i}.txt", body + str(i).encode(), "text/plain")) for i in range(2)]
    posted = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                          data={"csrf": TOKEN}, files=files)
    assert posted.headers["location"].endswith("done=kb-uploaded&added=2&replaced=0&unchanged=0&refused=0")
    assert disk == []  # no part of an unredacted document was written to disk
    assert site.stored()["kb_documents"] == 2


def test_the_plain_form_uploads_several_files_and_redirects_with_counts(site: Site, docs, tmp_path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"not a zip")
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in (docs["md"], docs["csv"], fake)]
    posted = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                          data={"csrf": TOKEN}, files=files)
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location == (f"{KB}/collection?name=policies&done=kb-uploaded&added=2&replaced=0&unchanged=0&refused=1"
                        "&why=not_docx")
    page = site.get(location).text
    assert ('<p class="bad" id="notice" role="status">Upload done: 2 added, 0 replaced, 0 unchanged, 1 not added. '
            "Not added: The file is not a DOCX file, although its name says so.</p>") in page
    zh = site.get(location, "zh-CN").text
    assert "上传完成：添加 2 个" in zh and text("kb.reject.not_docx", "zh-CN") in zh
    again = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"},
                         data={"csrf": TOKEN}, files=files[:1])
    assert "unchanged=1" in again.headers["location"]
    none = site.request("POST", KB + "/upload?collection=policies", headers={"Origin": "null"}, data={"csrf": TOKEN},
                        files={"files": ("", b"", "application/octet-stream")})
    assert none.headers["location"].endswith("done=kb-no-files")


def test_documents_are_deleted_and_the_collection_reindexed(site: Site, docs) -> None:
    site.upload(docs["md"])
    site.upload(docs["csv"])
    page = collection_page(site)
    assert 'name="source" value="shipping.md"' in page
    removed = site.post(KB + "/documents", {"action": "remove", "collection": "policies", "source": "shipping.md"})
    assert removed.headers["location"] == f"{KB}/collection?name=policies&done=kb-removed"
    assert "shipping.md" not in collection_page(site) and "faq.csv" in collection_page(site)
    missing = site.post(KB + "/documents", {"action": "remove", "collection": "policies", "source": "shipping.md"})
    assert missing.headers["location"].endswith("done=kb-missing")
    before = site.stored()
    done = site.post(KB + "/documents", {"action": "reindex", "collection": "policies"})
    assert done.headers["location"].endswith("done=kb-reindexed") and site.stored() == before
    assert text("notice.kb-reindexed", "en") in site.get(done.headers["location"]).text
    assert [a[1] for a in site.actions][-2:] == ["kb_remove_document", "kb_reindex"]
    assert "shipping.md" not in json.dumps(site.actions)  # never a document's name in the audit


def test_search_shows_the_redacted_passages_never_the_number(site: Site, docs) -> None:
    for path in docs.values():
        site.upload(path)
    page = site.post(KB + "/search", {"collection": "policies", "q": f"配送时间 张伟 {PHONE}"})
    assert page.status_code == 200
    hits = re.search(r'<table id="hits">(.*?)</table>', page.text, re.S).group(1)
    assert "shipping.md" in hits and "配送时间" in hits and "[PHONE_1]" in hits and "[PERSON_1]" in hits
    assert re.search(r'<td class="num">\d\.\d\d</td>', hits)
    assert f'value="配送时间 张伟 {PHONE}"' in page.text  # the admin's own question, shown back to them only
    site.responses.pop()
    english = site.post(KB + "/search", {"collection": "policies", "q": "pay by invoice"}).text
    assert "faq.csv" in english and "business accounts can pay by invoice" in english
    nothing = site.post(KB + "/search", {"collection": "policies", "q": "quantum chromodynamics"}, 
                        headers={"Accept-Language": "zh-CN"}).text
    assert text("kb.no_results", "zh-CN") in nothing or text("kb.no_answer", "zh-CN") in nothing
    assert 'href="/hushdesk/admin/kb/collection?name=policies&amp;lang=en"' in nothing  # the switch: a GET page
    assert PHONE not in "".join(site.responses)
    assert [a[1] for a in site.actions if a[1] == "kb_search"] == ["kb_search"] * 3


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_pages_render_in_each_language_with_labels_and_nothing_external(site: Site, docs, lang: str) -> None:
    docs["csv"].rename(docs["csv"].with_name("faq-en.csv"))
    site.upload(docs["csv"].with_name("faq-en.csv"))  # English content: the English page holds no Chinese
    site.post(KB + "/collections", {"action": "grant", "name": "policies", "grantee": "role:staff"})
    for page, title in ((site.get(KB, lang).text, text("kb.title", lang)),
                        (collection_page(site, lang=lang), text("kb.collection_title", lang, name="policies"))):
        assert f'<html lang="{lang}">' in page and title in page
        shown = re.sub(r"<[^>]+>", " ", re.sub(r'<a id="lang-switch".*?</a>', "", page, flags=re.S))
        if lang == "en":
            assert not CJK.search(shown), CJK.findall(shown)
        else:
            assert text("kb.title", "en") not in page and "Sign out" not in page and "Collection" not in shown
        assert not re.search(r"(?:https?:)?//", page), re.findall(r"\S*//\S*", page)
        tags = Tags()
        tags.feed(page)
        assert "style" not in tags.names and not {a for a in tags.attributes if a == "style" or a.startswith("on")}
        assert csp_for(page.encode()) == csp_for(None)  # nothing inline that the policy would have to allow
        for field in re.findall(r"<(?:input|select)\b[^>]*>", page):
            if 'type="hidden"' in field:
                continue
            ident = re.search(r'id="([^"]+)"', field)
            assert ident and f'<label for="{ident.group(1)}">' in page, field
    assert re.findall(r'<script src="([^"]+)"', collection_page(site, lang=lang)) == ["/hushdesk/static/kb_upload.js"]
    assert re.findall(r'<script src="([^"]+)"', site.get(KB, lang).text) == []


def test_the_admin_page_links_to_the_knowledge_base(site: Site) -> None:
    assert '<a id="kb-link" href="/hushdesk/admin/kb">Knowledge base</a>' in site.get("/hushdesk/admin").text
    assert '<a id="kb-link" href="/hushdesk/admin/kb">知识库</a>' in site.get("/hushdesk/admin", "zh-CN").text


def test_the_upload_script_is_served_locally_and_sends_no_inline_code(site: Site) -> None:
    script = site.get("/hushdesk/static/kb_upload.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "XMLHttpRequest" in script.text and "upload.onprogress" in script.text and "textContent" in script.text
    assert "innerHTML" not in script.text and not re.search(r"https?://", script.text)


@pytest.mark.parametrize(("raw", "clean"), [
    ("faq.xlsx", "faq.xlsx"), ("../../etc/passwd", "passwd"), ("C:\\Users\\ann\\退货政策.pdf", "退货政策.pdf"),
    ("a\x00b\u202e.md", "ab.md"), ("..", None), ("  ", None), ("dir/", None), (None, None),
    ("x" * 300 + ".docx", "x" * 195 + ".docx"),
])
def test_an_uploaded_name_is_sanitised(raw, clean) -> None:
    assert source_from_filename(raw) == clean
