"""GET /hushdesk/turns and POST /hushdesk/miss (services/web/turns.py) over the real routes: chat roles only,
each login session sees its own conversations only, the miss report needs the session's token and this
server's origin, bad bodies get fixed errors, and nothing is cached."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette

from services.auth.sessions import ACTIVE, Claims, Verdict
from services.chat import Conversation, Mark, Shown
from services.keys import hash_id
from services.web.routes import routes

PEPPER = b"q" * 32


class FakeChat:
    def __init__(self) -> None:
        self.reports: list[tuple[Conversation, str, str, str]] = []

    async def report_miss(self, conv, turn, label, text=""):
        self.reports.append((conv, turn, label, text))
        return label != "BAD"


@pytest.fixture
def site():
    mine = Conversation("s" * 64, "u" * 64, "staff")
    mine.shown.append(Shown("t1", "客户[PERSON_1]", (Mark("[PERSON_1]", "PERSON", "张伟"),)))
    theirs = Conversation("t" * 64, "v" * 64, "staff")
    theirs.shown.append(Shown("t9", "[PHONE_1]", (Mark("[PHONE_1]", "PHONE", "13812345678"),)))
    by_sid = {"sid-1": [mine], "sid-2": [theirs]}
    chat = FakeChat()
    runtime = SimpleNamespace(keys=SimpleNamespace(pepper=PEPPER), chat=chat,
                              conversations_of=lambda sid: by_sid.get(sid, []))
    state = {"claims": Claims("ada", "staff", "sid-1", 0.0)}
    inner = Starlette(routes=routes(runtime))  # type: ignore[arg-type]

    async def app(scope, receive, send):
        if scope["type"] == "http" and state["claims"] is not None:
            scope.setdefault("state", {})["hushdesk_verdict"] = Verdict(ACTIVE, state["claims"])
        await inner(scope, receive, send)

    def call(method, path, **kwargs):
        async def go():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, path, **kwargs)
        return asyncio.run(go())

    return SimpleNamespace(call=call, state=state, chat=chat, mine=mine)


def _token(sid: str = "sid-1") -> str:
    return hash_id(PEPPER, "csrf", sid)


def test_a_login_reads_its_own_turns_only(site):
    r = site.call("GET", "/hushdesk/turns", headers={"accept-language": "zh-CN"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["turns"] == [{"id": "t1", "sent": "客户[PERSON_1]", "pending": False,
                              "marks": [{"placeholder": "[PERSON_1]", "label": "PERSON", "value": "张伟"}]}]
    assert "13812345678" not in r.text and body["csrf"] == _token()
    assert body["texts"]["model_saw"] == "模型收到" and "CUSTOM" in body["labels"]
    assert site.call("GET", "/hushdesk/turns").json()["texts"]["model_saw"] == "model saw"


@pytest.mark.parametrize("claims,status", [(None, 401), (Claims("aud", "auditor", "sid-1", 0.0), 403)])
def test_turns_are_for_chat_roles(site, claims, status):
    site.state["claims"] = claims
    assert site.call("GET", "/hushdesk/turns").status_code == status
    assert site.call("POST", "/hushdesk/miss", content=b"{}").status_code == status


def test_a_miss_report(site):
    ok = site.call("POST", "/hushdesk/miss", headers={"origin": "http://testserver", "x-csrf-token": _token()},
                   content=json.dumps({"turn": "t1", "label": "PHONE", "text": "蓝鲸"}))
    assert ok.status_code == 200 and ok.json() == {"ok": True, "masked": True}
    assert [(c is site.mine, t, l, x) for c, t, l, x in site.chat.reports] == [(True, "t1", "PHONE", "蓝鲸")]


@pytest.mark.parametrize("headers,body,status,error", [
    ({"origin": "http://testserver"}, {"turn": "t1", "label": "PHONE"}, 403, "forbidden"),  # no token
    ({"origin": "http://evil.example", "x-csrf-token": _token()}, {"turn": "t1", "label": "PHONE"}, 403, "forbidden"),
    ({"origin": "http://testserver", "x-csrf-token": _token("sid-2")}, {"turn": "t1", "label": "PHONE"}, 403,
     "forbidden"),
    ({"origin": "http://testserver", "x-csrf-token": _token()}, {"turn": "t9", "label": "PHONE"}, 404,
     "unknown_turn"),  # another login's turn
    ({"origin": "http://testserver", "x-csrf-token": _token()}, {"turn": 1, "label": "PHONE"}, 400, "malformed"),
    ({"origin": "http://testserver", "x-csrf-token": _token()}, "not json", 400, "malformed"),
    ({"origin": "http://testserver", "x-csrf-token": _token()}, {"turn": "t1", "label": "BAD"}, 400, "rejected"),
])
def test_refused_miss_reports(site, headers, body, status, error):
    content = body if isinstance(body, str) else json.dumps(body)
    r = site.call("POST", "/hushdesk/miss", headers=headers, content=content)
    assert r.status_code == status and r.json() == {"ok": False, "error": error}
    assert "蓝鲸" not in r.text


def test_an_oversized_report_is_refused(site):
    r = site.call("POST", "/hushdesk/miss", headers={"origin": "http://testserver", "x-csrf-token": _token()},
                  content=json.dumps({"turn": "t1", "label": "PHONE", "text": "x" * 5000}))
    assert r.status_code == 400 and site.chat.reports == []


class MaskingChat(FakeChat):
    def mask_pending(self, conv, turn, text, label):
        if label == "BAD":
            return None
        return Shown(turn, "[CUSTOM_1]", (Mark("[CUSTOM_1]", "CUSTOM", text),), True)


def test_masking_a_message_that_waits(site):
    site.chat.__class__ = MaskingChat
    ok = site.call("POST", "/hushdesk/mask", headers={"origin": "http://testserver", "x-csrf-token": _token()},
                   content=json.dumps({"turn": "t1", "label": "CUSTOM", "text": "蓝鲸"}))
    assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
    assert ok.json() == {"ok": True, "turn": {"id": "t1", "sent": "[CUSTOM_1]", "pending": True,
                                              "marks": [{"placeholder": "[CUSTOM_1]", "label": "CUSTOM", "value": "蓝鲸"}]}}
    bad = site.call("POST", "/hushdesk/mask", headers={"origin": "http://testserver", "x-csrf-token": _token()},
                    content=json.dumps({"turn": "t1", "label": "BAD", "text": "x"}))
    assert bad.status_code == 400 and bad.json() == {"ok": False, "error": "rejected"}
    forged = site.call("POST", "/hushdesk/mask", headers={"origin": "http://testserver"},
                       content=json.dumps({"turn": "t1", "label": "CUSTOM", "text": "x"}))
    assert forged.status_code == 403
    other = site.call("POST", "/hushdesk/mask", headers={"origin": "http://testserver", "x-csrf-token": _token()},
                      content=json.dumps({"turn": "t9", "label": "CUSTOM", "text": "x"}))
    assert other.status_code == 404
