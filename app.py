"""hushdesk's Chainlit app, the only module that imports chainlit: it wires the web layer in and turns
Chainlit's callbacks into service calls; every decision is in services/ (docs/ARCHITECTURE.md).
Start it with `make run`, or `chainlit run app.py --host H --port P` once set-up has run."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from services.errors import HushdeskError
from services.i18n import error_text, language, text
from services.kb.answer import sources_note
from services.runtime import open_for_server, refuse_start
from services.web.wiring import log_out, login_address, prepare_environment, secure_http, sign_in, start_refusal

log = logging.getLogger("hushdesk.app")

runtime = open_for_server()  # exits 2 naming a missing, malformed or wrong key or setting
prepare_environment(runtime.settings, runtime.keys.auth_secret, os.environ)

import chainlit as cl  # noqa: E402  (after the secret is in place)
import chainlit.server  # noqa: E402
from chainlit.config import config as _chainlit_config  # noqa: E402
from chainlit.input_widget import MultiSelect, Switch  # noqa: E402
from chainlit.oauth_providers import get_configured_oauth_providers  # noqa: E402
from chainlit.session import WebsocketSession  # noqa: E402

from services.web import Coalescer, Features, SocketGuard, served_refusal  # noqa: E402
from services.web.clock import unblock  # noqa: E402

# Chainlit sleeps 1 ms on the event loop for every Message and Step it builds (to keep creation times
# apart); under load that stalls every session. Same guarantee, no wait: services/web/clock.py.
unblock(sys.modules["chainlit.message"], sys.modules["chainlit.step"])  # `chainlit.step` is the decorator

_why = served_refusal(Path.cwd(), Path(chainlit.server.build_dir)) or start_refusal(
    root_path=_chainlit_config.run.root_path, oauth=bool(get_configured_oauth_providers()),
    public_url=runtime.settings.public_url)
if _why:
    refuse_start(_why)
secure_http(chainlit.server.app, chainlit.server.sio, runtime, _chainlit_config.project)


class _ChainlitSockets:
    """Chainlit's chat sessions as the socket guard sees them (`services.web.socket_guard.ChatSockets`)."""

    def token_of(self, sid: str) -> str | None:
        return None if (session := WebsocketSession.get(sid)) is None else (session.token or "")

    def by_session_id(self, session_id: str) -> tuple[str | None, str | None] | None:
        return None if (session := WebsocketSession.get_by_id(session_id)) is None else (session.token, session.socket_id)

    async def drop(self, session_id: str) -> None:
        if (session := WebsocketSession.get_by_id(session_id)) is not None:
            await session.delete()

    def cancel_turn(self, sid: str) -> None:
        task = getattr(WebsocketSession.get(sid), "current_task", None)  # set only while a turn runs
        if task is not None and not task.done():
            task.cancel()


@cl.on_app_startup
async def _startup() -> None:
    await runtime.start()
    guard.start()


@cl.on_app_shutdown
async def _shutdown() -> None:
    guard.stop()
    await runtime.stop()


async def _user(check, groups: tuple[str, ...] = ()) -> cl.User | None:
    signed_in = await sign_in(runtime, check, groups)
    return None if signed_in is None else cl.User(identifier=signed_in[0].name, metadata=signed_in[1])


@cl.password_auth_callback
async def _password_login(username: str, password: str) -> cl.User | None:
    return await _user(runtime.signin.login(username, password, login_address()))


if get_configured_oauth_providers():
    @cl.oauth_callback
    async def _oauth_login(provider_id: str, token: str, raw_user_data: dict, default_user: cl.User,
                           id_token: str | None = None) -> cl.User | None:
        return await _user(runtime.signin.oauth_login(provider_id, default_user.identifier, raw_user_data),
                           runtime.signin.groups_of(raw_user_data))


@cl.on_logout
async def _logout(request, response) -> None:
    await log_out(runtime, guard, request.scope.get("headers", ()))


def _lang() -> str:
    return language(cl.context.session.language if cl.context.session else None)


def _actions(lang: str) -> list[cl.Action]:  # "Clear my conversation" under each reply
    return [cl.Action(name="clear", payload={}, label=text("clear_conversation", lang))]


async def _show(message: cl.Message) -> None:
    """Send a message and remember it, so "Clear my conversation" can take it off the screen."""
    await message.send()
    cl.user_session.get("shown", []).append(message)


@cl.on_chat_start
async def _chat_start() -> None:
    user, lang, signin = cl.user_session.get("user"), _lang(), runtime.signin
    meta = (user.metadata or {}) if user else {}
    name, role = (user.identifier, meta.get("role", "")) if user else ("", "")
    unreadable = None
    try:
        pending = user is not None and await signin.needs_consent(name)
    except HushdeskError as exc:  # the store is unreachable (a database restart): chat is refused until back
        pending, unreadable = True, exc
    conv = runtime.conversation(cl.user_session.get("id"), name, role, consent_pending=pending, groups=meta.get("groups"),
                                login_sid=str(meta.get("sid") or ""))
    cl.user_session.set("conversation", conv)
    cl.user_session.set("shown", [])
    cl.user_session.set("held", {})
    widgets = [Switch(id="check", label=text("check.toggle", lang), initial=conv.check)]
    if collections := await runtime.chat.collections_for(conv):  # knowledge on/off, which collections
        widgets += [Switch(id="kb", label=text("kb_use", lang), initial=True),
                    MultiSelect(id="kb_collections", label=text("kb_choose", lang), values=list(collections),
                                initial=list(collections))]
    await cl.ChatSettings(widgets).send()
    if unreadable is not None:
        await cl.Message(content=error_text(unreadable, lang), author="hushdesk").send()
    elif pending:
        accept = cl.Action(name="consent", payload={"v": signin.consent_version}, label=text("consent_accept", lang))
        await cl.Message(content=f"**{text('consent_title', lang)}**\n\n{signin.consent_text(lang)}",
                         author="hushdesk", actions=[accept]).send()
    if runtime.demo:
        await _show(cl.Message(content=text("demo_notice", lang), author="hushdesk", actions=_actions(lang)))


@cl.action_callback("consent")
async def _consent(action: cl.Action) -> None:
    user, conv = cl.user_session.get("user"), cl.user_session.get("conversation")
    if user is None or conv is None or (action.payload or {}).get("v") != runtime.signin.consent_version:
        return
    meta = user.metadata or {}
    await runtime.signin.accept_consent(user.identifier, meta.get("role", ""), meta.get("sid", ""))
    conv.consent_pending = False
    await action.remove()
    await cl.Message(content=text("consent_recorded", _lang()), author="hushdesk", actions=_actions(_lang())).send()


@cl.action_callback("clear")
async def _clear(action: cl.Action) -> None:
    await _chat_end()
    for message in cl.user_session.get("shown") or []:
        await message.remove()
    cl.user_session.set("shown", [])
    await cl.Message(content=text("conversation_cleared", _lang()), author="hushdesk").send()


@cl.on_settings_update  # registered before the socket guard is built: it lets chat_settings_change through
async def _settings(values: dict) -> None:
    runtime.chat.choose(cl.user_session.get("conversation"), values)


@cl.on_chat_end
async def _chat_end() -> None:
    if (conv := cl.user_session.get("conversation")) is not None:
        conv.clear()


@cl.on_message
async def _on_message(message: cl.Message) -> None:
    cl.user_session.get("shown", []).append(message)
    conv = cl.user_session.get("conversation")
    if conv is not None and conv.check and runtime.chat.refusal(conv) is None:
        await _hold(conv, message)  # check before sending: redacted and shown, sent only on "send"
        return
    # The page finds the message by its id (GET /hushdesk/turns).
    await _answer(lambda on_text: runtime.chat.turn(conv, message.content or "", on_text, turn_id=message.id))


async def _hold(conv, message: cl.Message) -> None:
    lang = _lang()
    try:
        runtime.chat.preview(conv, message.content or "", message.id)
    except HushdeskError as exc:  # empty or oversized: its fixed message
        await _show(cl.Message(content=error_text(exc, lang), author="hushdesk"))
        return
    payload = {"turn": message.id}
    notice = cl.Message(content=text("check.notice", lang), author="hushdesk", actions=[
        cl.Action(name="send", payload=payload, label=text("check.send", lang)),
        cl.Action(name="cancel_send", payload=payload, label=text("check.cancel", lang))])
    cl.user_session.get("held", {})[message.id] = notice
    await _show(notice)


async def _release(action: cl.Action) -> tuple[object, str] | None:
    """The conversation and the waiting message's id an action names, its notice taken off the screen."""
    conv, turn = cl.user_session.get("conversation"), (action.payload or {}).get("turn")
    notice = (cl.user_session.get("held") or {}).pop(turn, None) if isinstance(turn, str) else None
    if conv is None or notice is None:
        return None
    await notice.remove()
    return conv, turn


@cl.action_callback("send")
async def _send_held(action: cl.Action) -> None:
    if (held := await _release(action)) is not None:
        conv, turn = held
        await _answer(lambda on_text: runtime.chat.send_pending(conv, turn, on_text))


@cl.action_callback("cancel_send")
async def _cancel_held(action: cl.Action) -> None:
    if (held := await _release(action)) is not None:
        conv, turn = held
        conv.cancel(turn)
        await _show(cl.Message(content=text("check.cancelled", _lang()), author="hushdesk"))


async def _answer(run) -> None:
    """Run one turn (`run(on_text)`), streaming its reply, then its sources, notice or error."""
    lang = _lang()
    reply = cl.Message(content="")
    stream = Coalescer(reply.stream_token)  # tokens go out in 50 ms slices: one process serves all
    try:
        result = await run(stream.feed)
    except BaseException as exc:  # ended or stopped (the turn is audited `cancelled`), or a bug
        stream.discard()
        if not isinstance(exc, Exception):
            raise
        log.error("message handling failed: %s", type(exc).__name__)  # never str(exc): it may hold text
        await _show(cl.Message(content=text("unsafe_error", lang), author="hushdesk"))
        return
    if result is None:  # nothing was waiting under that id
        stream.discard()
        return
    if result.retract:  # a blocked value, or no audit row: what streamed is replaced by the notice
        stream.discard()
        reply.content, reply.author = error_text(result.error, lang), "hushdesk"
        await _show(reply if reply.streaming else cl.Message(content=reply.content, author="hushdesk"))
        return
    await stream.close()
    if reply.streaming:
        if cited := result.cited:  # each [n] in the text links to its source; the list names them all
            reply.content += sources_note(cited, text("kb_sources", lang))
            reply.elements = [cl.Text(name=s.name, content=s.card, display="side") for s in cited]
        reply.actions = _actions(lang)
        await _show(reply)
    if result.error is not None:
        await _show(cl.Message(content=error_text(result.error, lang), author="hushdesk",
                               actions=_actions(lang) if result.record else []))


# Built last, once every callback is registered: Features.of reads them (chat settings among them).
guard = SocketGuard(runtime.sessions, Features.of(_chainlit_config.features, _chainlit_config.code), _ChainlitSockets())
guard.install(chainlit.server.sio)
