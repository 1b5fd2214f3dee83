"""hushdesk's Chainlit app, the only module that imports chainlit: it wires the web layer in and turns
Chainlit's callbacks into service calls; every decision is in services/ (docs/ARCHITECTURE.md).
Start it with `make run`, or `chainlit run app.py --host H --port P` once set-up has run."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from services.config import load_settings
from services.errors import HushdeskError
from services.i18n import error_text, language, text
from services.logs import configure_logging
from services.runtime import Runtime
from services.web.wiring import log_out, login_address, prepare_environment, secure_http, sign_in, start_refusal

log = logging.getLogger("hushdesk.app")


def _refuse(message: str) -> None:
    print(f"hushdesk cannot start: {message}", file=sys.stderr)
    raise SystemExit(2)


def _open_runtime() -> Runtime:
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return Runtime.open(settings)
    except HushdeskError as exc:  # a missing, malformed or wrong key or setting, named in the message
        _refuse(exc.message)
        raise


runtime = _open_runtime()
prepare_environment(runtime.settings, runtime.keys.auth_secret, os.environ)

import chainlit as cl  # noqa: E402  (after the secret is in place)
import chainlit.server  # noqa: E402
from chainlit.config import config as _chainlit_config  # noqa: E402
from chainlit.oauth_providers import get_configured_oauth_providers  # noqa: E402
from chainlit.session import WebsocketSession  # noqa: E402

from services.web import Coalescer, Features, SocketGuard, served_refusal  # noqa: E402

_why = served_refusal(Path.cwd(), Path(chainlit.server.build_dir)) or start_refusal(
    root_path=_chainlit_config.run.root_path, oauth=bool(get_configured_oauth_providers()),
    public_url=runtime.settings.public_url)
if _why:
    _refuse(_why)
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


guard = SocketGuard(runtime.sessions, Features.of(_chainlit_config.features, _chainlit_config.code),
                    _ChainlitSockets())
guard.install(chainlit.server.sio)


@cl.on_app_startup
async def _startup() -> None:
    await runtime.start()
    guard.start()


@cl.on_app_shutdown
async def _shutdown() -> None:
    guard.stop()
    await runtime.stop()


async def _user(check) -> cl.User | None:
    signed_in = await sign_in(runtime, check)
    return None if signed_in is None else cl.User(identifier=signed_in[0].name, metadata=signed_in[1])


@cl.password_auth_callback
async def _password_login(username: str, password: str) -> cl.User | None:
    return await _user(runtime.signin.login(username, password, login_address()))


if get_configured_oauth_providers():
    @cl.oauth_callback
    async def _oauth_login(provider_id: str, token: str, raw_user_data: dict, default_user: cl.User,
                           id_token: str | None = None) -> cl.User | None:
        return await _user(runtime.signin.oauth_login(provider_id, default_user.identifier, raw_user_data))


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
    name, role = (user.identifier, (user.metadata or {}).get("role", "")) if user else ("", "")
    pending = user is not None and await signin.needs_consent(name)
    cl.user_session.set("conversation", runtime.conversation(cl.user_session.get("id"), name, role,
                                                             consent_pending=pending))
    cl.user_session.set("shown", [])
    if pending:
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


@cl.on_chat_end
async def _chat_end() -> None:
    conv = cl.user_session.get("conversation")
    if conv is not None:
        conv.clear()


@cl.on_message
async def _on_message(message: cl.Message) -> None:
    lang = _lang()
    cl.user_session.get("shown", []).append(message)
    reply = cl.Message(content="")
    stream = Coalescer(reply.stream_token)  # tokens go out in 50 ms slices: one process serves all
    try:
        result = await runtime.chat.turn(cl.user_session.get("conversation"), message.content or "", stream.feed)
    except BaseException as exc:  # ended or stopped (the turn is audited `cancelled`), or a bug
        stream.discard()
        if not isinstance(exc, Exception):
            raise
        log.error("message handling failed: %s", type(exc).__name__)  # never str(exc): it may hold text
        await _show(cl.Message(content=text("unsafe_error", lang), author="hushdesk"))
        return
    if result.retract:  # a blocked value, or no audit row: what streamed is replaced by the notice
        stream.discard()
        reply.content, reply.author = error_text(result.error, lang), "hushdesk"
        await _show(reply if reply.streaming else cl.Message(content=reply.content, author="hushdesk"))
        return
    await stream.close()
    if reply.streaming:
        reply.actions = _actions(lang)
        await _show(reply)
    if result.error is not None:
        await _show(cl.Message(content=error_text(result.error, lang), author="hushdesk",
                               actions=_actions(lang) if result.record else []))
