"""The demo engine (services/engine/demo_server.py) over its HTTP API with the generated demo model, and its
launch spec: it quotes the last user message exactly as received, in that message's language, then the
model's noise, streamed like an OpenAI-compatible engine with usage at the end; a key is required, kept out
of argv; bad requests get fixed messages that never echo the request."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from services.config import load_settings
from services.engine.demo_model import ensure_demo_model
from services.engine.demo_server import Model, build_app, quoted
from services.engine.specs import DEMO_KEY_ENV, demo_server_spec

KEY = "k" * 32
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    model_dir = ensure_demo_model(tmp_path_factory.mktemp("demo") / "model")
    with TestClient(build_app(Model(str(model_dir)), name="hushdesk-model", api_key=KEY)) as c:
        yield c


def _ask(client, content: str, **extra):
    return client.post("/v1/chat/completions", headers=AUTH, json={
        "model": "hushdesk-model", "max_tokens": 8,
        "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": content}], **extra})


def test_a_streamed_reply_quotes_what_the_engine_received_then_its_noise(client):
    r = _ask(client, "客户[PERSON_1]，手机[PHONE_1]\n第二行", stream=True, stream_options={"include_usage": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text.startswith("演示引擎。模型收到的消息是：\n\n> 客户[PERSON_1]，手机[PHONE_1]\n> 第二行\n\n---\n\n")
    assert text.rstrip().endswith("HUSHDESK_MODEL_PATH 以使用真实模型。）")
    assert len([c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]) > 5  # streamed
    usage = chunks[-1]["usage"]
    assert 0 < usage["completion_tokens"] <= 8 and usage["prompt_tokens"] > 0


def test_an_english_message_and_a_whole_reply(client):
    r = _ask(client, "Please call [PERSON_1] back")
    body = r.json()
    assert r.status_code == 200 and body["object"] == "chat.completion"
    content = body["choices"][0]["message"]["content"]
    assert content.startswith("Demo engine. The model received your message as:\n\n> Please call [PERSON_1] back\n")
    assert body["usage"]["completion_tokens"] <= 8


def test_a_long_message_is_quoted_in_part():
    head, _ = quoted("x" * 2000)
    assert head.count("x") == 600 and "…" in head


@pytest.mark.parametrize("headers,body,status", [
    ({}, {"messages": [{"role": "user", "content": "secret-canary"}]}, 401),
    ({"Authorization": "Bearer wrong"}, {"messages": [{"role": "user", "content": "secret-canary"}]}, 401),
    (AUTH, {"messages": "secret-canary"}, 400),
    (AUTH, {"messages": [{"role": "tool", "content": "secret-canary"}]}, 400),
    (AUTH, {"model": "other", "messages": [{"role": "user", "content": "secret-canary"}]}, 404),
])
def test_refusals_never_echo_the_request(client, headers, body, status):
    r = client.post("/v1/chat/completions", headers=headers, json=body)
    assert r.status_code == status and "secret-canary" not in r.text


def test_health_and_models(client):
    assert client.get("/health").status_code == 200
    assert client.get("/v1/models").status_code == 401
    assert client.get("/v1/models", headers=AUTH).json()["data"][0]["id"] == "hushdesk-model"


def test_the_launch_keeps_the_key_out_of_argv_and_binds_loopback(tmp_path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data")}, dotenv=False)
    spec = demo_server_spec(tmp_path / "model", port=4321, api_key=KEY, model_name="hushdesk-model", settings=settings)
    assert spec.argv[1:3] == ("-m", "services.engine.demo_server")
    assert KEY not in " ".join(spec.argv) and spec.env[DEMO_KEY_ENV] == KEY
    assert ("--host", "127.0.0.1") == spec.argv[spec.argv.index("--host"):spec.argv.index("--host") + 2]
    assert spec.base_url == "http://127.0.0.1:4321/v1" and spec.health_url == "http://127.0.0.1:4321/health"
