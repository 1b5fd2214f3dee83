"""What the chat page shows of each sent message, and the staff member's "something was not masked".

    GET  /hushdesk/turns   {"csrf", "labels", "texts", "turns": [{"id", "sent", "marks": [{"placeholder",
                           "label", "value"}]}]}: for each message of this login session's open
                           conversations, the text the model received and the values masked in it
    POST /hushdesk/miss    JSON {"turn", "label", "text"?} with X-CSRF-Token: that exchange leaves the
                           history, `text` is masked as `label` for the rest of the conversation, the audit
                           gains a `redaction_miss_reported` row (the label only); {"ok": true}
    POST /hushdesk/mask    JSON {"turn", "label", "text"} with X-CSRF-Token, for a message waiting to be sent
                           (check before sending): `text` is masked as `label` from now on; {"ok": true,
                           "turn": {...}} with the message as the model would now see it

Chat roles only. The values are the staff member's own, typed in this browser; they are held in memory by
the conversation (as the placeholder vault already holds them), answered only to the login session that
owns the conversation, never logged, never cached (`no-store`), never written anywhere. The page's
script (`static/hushdesk.js`) marks them in place: a chip with the label, the value on hover or tap.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..auth.sessions import Claims
from ..chat import MISS_LABELS, Conversation, Shown
from ..errors import HushdeskError
from ..i18n import text
from ..roles import CHAT_ROLES
from .pages import page_language

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["TurnRoutes", "TURNS_PATH", "MISS_PATH", "MASK_PATH"]

TURNS_PATH = "/hushdesk/turns"
MISS_PATH = "/hushdesk/miss"
MASK_PATH = "/hushdesk/mask"
_TEXTS = ("turns.model_saw", "turns.not_masked", "turns.label", "turns.mask_text", "turns.report",
          "turns.cancel", "turns.reported", "turns.reported_masked", "turns.failed", "turns.your_value",
          "turns.blocked", "turns.model_will_see", "turns.mask_more", "turns.mask", "turns.mask_hint")
_MAX_BODY = 4096
_NO_STORE = {"cache-control": "no-store"}
log = logging.getLogger("hushdesk.web")


class TurnRoutes:
    """The routes, bound to a runtime; `claims(request, roles)`, `same_origin(request)` and `csrf(claims)`
    are the routes' own checks."""

    def __init__(self, runtime: "Runtime", claims: Callable[[Request, object], Claims | Response],
                 same_origin: Callable[[Request], bool], csrf: Callable[[Claims], str]) -> None:
        self.runtime = runtime
        self.claims = claims
        self.same_origin = same_origin
        self._token = csrf  # the session's form token, as every form of these routes checks it

    async def turns(self, request: Request) -> Response:
        claims = self.claims(request, CHAT_ROLES)
        if isinstance(claims, Response):
            return claims
        lang = page_language(request)
        turns = [_turn_json(s) for conv in self.runtime.conversations_of(claims.sid) for s in conv.shown]
        return JSONResponse({"csrf": self._token(claims), "labels": list(MISS_LABELS),
                             "texts": {k.split(".", 1)[1]: text(k, lang) for k in _TEXTS}, "turns": turns},
                            headers=_NO_STORE)

    async def _posted(self, request: Request) -> tuple[Conversation, str, str, str] | Response:
        """A JSON post of {"turn", "label", "text"} from this server's page with the session's token, about
        a message of one of this login's conversations: (that conversation, turn, label, text)."""
        claims = self.claims(request, CHAT_ROLES)
        if isinstance(claims, Response):
            return claims
        token = request.headers.get("x-csrf-token", "")
        if not self.same_origin(request) or not hmac.compare_digest(token, self._token(claims)):
            return JSONResponse({"ok": False, "error": "forbidden"}, status_code=403)
        body = await request.body()
        try:
            if len(body) > _MAX_BODY:
                raise ValueError
            data = json.loads(body)
            turn, label, masked = data.get("turn"), data.get("label"), data.get("text", "")
            if not (isinstance(turn, str) and isinstance(label, str) and isinstance(masked, str)):
                raise ValueError
        except (ValueError, AttributeError):
            return JSONResponse({"ok": False, "error": "malformed"}, status_code=400)
        conv = next((c for c in self.runtime.conversations_of(claims.sid) if c.shown_for(turn) is not None), None)
        if conv is None:
            return JSONResponse({"ok": False, "error": "unknown_turn"}, status_code=404)
        return conv, turn, label, masked

    async def mask(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        conv, turn, label, masked = posted
        try:
            shown = self.runtime.chat.mask_pending(conv, turn, masked, label)
        except HushdeskError as exc:
            return JSONResponse({"ok": False, "error": exc.outcome}, status_code=400)
        if shown is None:
            return JSONResponse({"ok": False, "error": "rejected"}, status_code=400)
        return JSONResponse({"ok": True, "turn": _turn_json(shown)}, headers=_NO_STORE)

    async def miss(self, request: Request) -> Response:
        posted = await self._posted(request)
        if isinstance(posted, Response):
            return posted
        conv, turn, label, masked = posted
        try:
            done = await self.runtime.chat.report_miss(conv, turn, label, masked)
        except HushdeskError as exc:  # the audit could not be written: a fixed code, never text
            log.error("miss report not recorded: %s", exc.outcome)
            return JSONResponse({"ok": False, "error": exc.outcome}, status_code=503)
        if not done:
            return JSONResponse({"ok": False, "error": "rejected"}, status_code=400)
        return JSONResponse({"ok": True, "masked": bool(masked.strip())}, headers=_NO_STORE)


def _turn_json(s: Shown) -> dict:
    return {"id": s.turn, "sent": s.sent, "pending": s.pending,
            "marks": [{"placeholder": m.placeholder, "label": m.label, "value": m.value} for m in s.marks]}
