"""Turns through the real runtime against an engine at `url` (usually a FakeEngine's)."""

from __future__ import annotations

from services.config import load_settings
from services.runtime import Runtime


def settings_for(tmp_path, url, **extra):
    env = {"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
           "HUSHDESK_ENGINE_URL": url, "HUSHDESK_MODEL_NAME": "fake-model", **extra}
    return load_settings(env, dotenv=False)


async def run_turns(settings, texts):
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    conv = runtime.conversation("chainlit-session-0001", "alice.staff", "staff")
    results = []
    try:
        for text in texts:
            shown: list[str] = []

            async def on_text(piece, shown=shown):
                shown.append(piece)

            result = await runtime.chat.turn(conv, text, on_text)
            results.append((result, shown))
    finally:
        await runtime.stop()
    return runtime, conv, results
