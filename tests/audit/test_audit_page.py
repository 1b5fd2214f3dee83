"""The auditor's page and dashboard run the command line's verification, signed checkpoints included.

The real routes (`services.web.routes.routes`) over ASGI, on a real store and checkpoint file; the session
guard's verdict for an auditor is put in the request state as the guard would.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette

from services.config import Settings, load_settings
from services.keys import load_keys
from services.auth.sessions import ACTIVE, Claims, Verdict
from services.store import open_store, transaction
from services.web.routes import routes
from tests.support.signer import SignerProcess, app_settings, write_rows


def auditor_app(settings: Settings, role: str = "auditor") -> tuple[Starlette, object]:
    """hushdesk's routes bound to a runtime holding only what these pages use."""
    keys = load_keys(settings, create=False)
    engine = open_store(settings, keys, create=False)

    async def audit_access(user: str, what: str) -> None:
        return None

    runtime = SimpleNamespace(settings=settings, keys=keys, audit=SimpleNamespace(engine=engine),
                              audit_access=audit_access, engine=SimpleNamespace(state="ready"))
    inner = Starlette(routes=routes(runtime))  # type: ignore[arg-type]

    async def app(scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {})["hushdesk_verdict"] = Verdict(ACTIVE, Claims("ada", role, "sid-1", 0.0))
        await inner(scope, receive, send)

    return app, engine  # type: ignore[return-value]


def page(settings: Settings, path: str, lang: str = "en") -> str:
    """The text of #verify on `path`, for a browser asking for `lang`."""
    app, engine = auditor_app(settings)

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hushdesk") as client:
            return await client.get(path, headers={"Accept-Language": lang})

    try:
        response = asyncio.run(get())
    finally:
        engine.dispose()  # type: ignore[attr-defined]
    assert response.status_code == 200
    found = re.search(r'<p class="(ok|bad)" id="verify">(.*?)</p>', response.text)
    assert found, response.text
    return f"{found.group(1)}: {found.group(2)}"


@pytest.mark.parametrize("path", ["/hushdesk/audit", "/hushdesk/dashboard"])
def test_a_cut_tail_is_shown_as_broken_not_verified(tmp_path: Path, path: str) -> None:
    settings = app_settings(tmp_path, None, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
    keys = load_keys(settings, create=True)
    write_rows(settings, keys, 12)  # checkpoints at 5, 10 and 12 (shutdown)
    assert page(settings, path).startswith("ok: Chain verified")
    engine = open_store(settings, keys)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DELETE FROM audit_events WHERE seq > 10")  # the chain alone still verifies
    engine.dispose()
    assert page(settings, path) == "bad: Chain broken: seq 11: truncated"
    assert page(settings, path, "zh-CN") == "bad: 审计链损坏: seq 11: truncated"


def test_a_verified_chain_says_what_was_checked(tmp_path: Path) -> None:
    settings = app_settings(tmp_path, None, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
    write_rows(settings, load_keys(settings, create=True), 7)
    assert page(settings, "/hushdesk/audit") == "ok: Chain verified: ok (7 rows, 2 signed checkpoints)"
    assert page(settings, "/hushdesk/audit", "zh-CN") == "ok: 审计链完整: ok (7 rows, 2 signed checkpoints)"


def test_the_page_asks_the_signer_and_holds_the_pinned_key(tmp_path: Path) -> None:
    signer = SignerProcess(tmp_path / "signer-home")
    try:
        settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
        keys = load_keys(settings, create=True)
        write_rows(settings, keys, 12)
        assert "1 held by the signer or mirror" in page(settings, "/hushdesk/audit")
        # The tail cut and the last checkpoint line dropped: only the signer still knows seq 12.
        lines = settings.checkpoint_path.read_text().splitlines()
        settings.checkpoint_path.write_text("\n".join(lines[:-1]) + "\n")
        engine = open_store(settings, keys)
        with transaction(engine, write=True) as conn:
            conn.exec_driver_sql("DELETE FROM audit_events WHERE seq > 10")
        engine.dispose()
        assert page(settings, "/hushdesk/audit") == "bad: Chain broken: seq 12: checkpoints-shortened"
        assert page(settings, "/hushdesk/audit", "zh-CN") == "bad: 审计链损坏: seq 12: checkpoints-shortened"
        pinned = load_settings({**_env(settings), "HUSHDESK_AUDIT_EXPECT_KEY": "ed25519:" + "1" * 64}, dotenv=False)
        assert page(pinned, "/hushdesk/audit").startswith("bad: Chain broken: wrong-key")
        assert page(pinned, "/hushdesk/audit", "zh-CN").startswith("bad: 审计链损坏: wrong-key")
        signer.stop()
        assert page(settings, "/hushdesk/audit") == (
            f"bad: Chain not verified: The audit signer at {signer.socket} could not be reached.")
        assert page(settings, "/hushdesk/audit", "zh-CN") == (
            f"bad: 审计链未能验证: The audit signer at {signer.socket} could not be reached.")
    finally:
        signer.close()


def _env(settings: Settings) -> dict[str, str]:
    from tests.support.signer import env_of

    return env_of(settings)
