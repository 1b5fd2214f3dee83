"""What the supervisor launches: engine kind, vLLM / transformers command lines, child environment."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from services.config import Settings
from services.engine.supervisor import (
    EngineSupervisor,
    child_env,
    free_port,
    resolve_engine_kind,
    transformers_spec,
    vllm_spec,
)
from tests.support.standins import STANDINS, alive

pytestmark = pytest.mark.timeout(30)

TELEMETRY_OFF = {
    "VLLM_NO_USAGE_STATS": "1",
    "VLLM_DO_NOT_TRACK": "1",
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
}
SECRETS = {
    "HUSHDESK_DB_KEY": "a" * 64,
    "HUSHDESK_ENGINE_API_KEY": "sk-hushdesk",
    "CHAINLIT_AUTH_SECRET": "chainlit-secret",
    "DATABASE_URL": "postgresql://u:p@h/db",
    "LITERAL_API_KEY": "lit-key",
    "OAUTH_GENERIC_CLIENT_SECRET": "oauth-secret",
    "VLLM_DEBUG_LOG_API_SERVER_RESPONSE": "true",
}


@pytest.fixture
def secrets_in_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def assert_clean_env(env, settings: Settings) -> None:
    for name, value in TELEMETRY_OFF.items():
        assert env[name] == value
    for name in SECRETS:
        assert name not in env
    assert not [name for name in env if name.startswith("HUSHDESK_")]
    assert env["PATH"] == os.environ["PATH"]
    hf_home = Path(env["HF_HOME"])
    assert hf_home.is_relative_to(settings.data_dir.resolve())
    assert (hf_home / "hub").is_dir()  # transformers serve's /v1/models fails without it


def test_vllm_argv_is_exact(tmp_path, secrets_in_env):
    settings = Settings(data_dir=tmp_path, vllm_max_model_len=8192, vllm_gpu_memory_utilization=0.5,
                        engine_extra_args=("--enforce-eager",))
    spec = vllm_spec(tmp_path / "model", port=8123, api_key="k" * 43, model_name="served", settings=settings)
    assert spec.argv == (
        str(Path(sys.prefix) / "bin" / "vllm"), "serve", str(tmp_path / "model"),
        "--host", "127.0.0.1",
        "--port", "8123",
        "--served-model-name", "served",
        "--api-key", "k" * 43,
        "--max-model-len", "8192",
        "--gpu-memory-utilization", "0.5",
        "--disable-uvicorn-access-log",
        "--disable-log-stats",
        "--enforce-eager",
    )
    assert "--disable-log-requests" not in spec.argv and "--enable-log-requests" not in spec.argv
    assert spec.base_url == "http://127.0.0.1:8123/v1"
    assert spec.health_url == "http://127.0.0.1:8123/health"
    assert (spec.api_key, spec.model_name, spec.cwd) == ("k" * 43, "served", None)
    assert_clean_env(spec.env, settings)
    assert "k" * 43 not in repr(spec)


def test_transformers_serves_under_the_model_name(tmp_path, secrets_in_env):
    settings = Settings(data_dir=tmp_path / "data")
    model = tmp_path / "models" / "demo"
    model.mkdir(parents=True)
    spec = transformers_spec(model, port=8124, api_key="key", model_name="hushdesk-model", settings=settings)
    assert spec.argv == (
        str(Path(sys.executable).parent / "transformers"), "serve", "hushdesk-model",
        "--host", "127.0.0.1",
        "--port", "8124",
        "--device", "auto",
        "--log-level", "warning",
    )
    assert "key" not in spec.argv  # no --api-key option: the key is sent but not checked
    assert (spec.model_name, spec.api_key) == ("hushdesk-model", "key")
    assert spec.health_url == "http://127.0.0.1:8124/health"
    link = Path(spec.cwd) / "hushdesk-model"
    assert link.is_symlink() and link.resolve() == model.resolve()
    assert_clean_env(spec.env, settings)

    # A second spec (a restart) for another folder repoints the link.
    other = tmp_path / "models" / "other"
    other.mkdir()
    transformers_spec(other, port=8125, api_key="key", model_name="hushdesk-model", settings=settings)
    assert link.resolve() == other.resolve()


@pytest.mark.parametrize("name", ["org/model", "model@v2", "repo:file.gguf", ".."])
def test_transformers_falls_back_to_the_path_for_unusual_names(tmp_path, name):
    spec = transformers_spec(tmp_path, port=1, api_key="k", model_name=name, settings=Settings(data_dir=tmp_path))
    assert spec.argv[2] == spec.model_name == str(tmp_path.resolve())
    assert spec.cwd is None


def test_child_env_is_a_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HOME", raising=False)
    env = child_env(Settings(data_dir=tmp_path))
    env["X_ADDED"] = "1"
    assert "X_ADDED" not in os.environ and "HF_HOME" not in os.environ


@pytest.mark.parametrize(
    ("setting", "cuda", "installed", "kind"),
    [
        ("auto", True, True, "vllm"),
        ("auto", True, False, "transformers"),
        ("auto", False, True, "transformers"),
        ("auto", False, False, "transformers"),
        ("vllm", False, False, "vllm"),
        ("transformers", True, True, "transformers"),
        ("external", True, True, "external"),
    ],
)
def test_resolve_engine_kind(setting, cuda, installed, kind):
    settings = Settings(engine=setting, engine_url="http://h/v1" if setting == "external" else None)
    assert resolve_engine_kind(settings, cuda_available=lambda: cuda, vllm_installed=lambda: installed) == kind


def test_resolve_engine_kind_real_checks_run():
    # Each real check runs (nvidia-smi / torch, find_spec) and the other one decides.
    assert resolve_engine_kind(Settings(), vllm_installed=lambda: False) == "transformers"
    assert resolve_engine_kind(Settings(), cuda_available=lambda: False) == "transformers"


def test_free_port_is_bindable():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def fake_program(folder: Path, name: str) -> Path:
    """An executable `name` that is really the stand-in engine (records argv and env, serves /health)."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(STANDINS)!r})\n"
        "from fake_engine_proc import main\nsys.exit(main())\n"
    )
    program.chmod(0o755)
    return program


def launch_and_record(make_spec, record: Path):
    async def scenario():
        engine = EngineSupervisor(make_spec, start_timeout=10, health_interval=0.05)
        await engine.start()
        endpoint, pid = engine.endpoint, engine.pid
        await engine.stop()
        return endpoint, pid

    endpoint, pid = asyncio.run(scenario())
    assert not alive(pid)
    return endpoint, json.loads(record.read_text())


def test_fake_vllm_program_gets_the_spec(tmp_path, monkeypatch, secrets_in_env):
    record = tmp_path / "record.json"
    monkeypatch.setenv("FAKE_ENGINE_RECORD", str(record))
    program = fake_program(tmp_path / "bin", "vllm")
    settings = Settings(data_dir=tmp_path / "data", engine_extra_args=("--enforce-eager",))
    model = tmp_path / "model"

    def make_spec(port, api_key):
        return vllm_spec(model, port=port, api_key=api_key, model_name="hushdesk-model", settings=settings,
                         executable=program)

    endpoint, seen = launch_and_record(make_spec, record)
    port = endpoint.base_url.split(":")[-1].removesuffix("/v1")
    assert seen["argv"] == [
        str(program), "serve", str(model), "--host", "127.0.0.1", "--port", port,
        "--served-model-name", "hushdesk-model", "--api-key", endpoint.api_key,
        "--max-model-len", "32768", "--gpu-memory-utilization", "0.85",
        "--disable-uvicorn-access-log", "--disable-log-stats", "--enforce-eager",
    ]
    assert endpoint.model_name == "hushdesk-model"
    assert_clean_env(seen["env"], settings)


def test_fake_transformers_program_finds_the_model_by_name(tmp_path, monkeypatch, secrets_in_env):
    record = tmp_path / "record.json"
    monkeypatch.setenv("FAKE_ENGINE_RECORD", str(record))
    program = fake_program(tmp_path / "bin", "transformers")
    settings = Settings(data_dir=tmp_path / "data")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")

    def make_spec(port, api_key):
        return transformers_spec(model, port=port, api_key=api_key, model_name="hushdesk-model",
                                 settings=settings, executable=program)

    endpoint, seen = launch_and_record(make_spec, record)
    assert seen["argv"][1:3] == ["serve", "hushdesk-model"]
    assert endpoint.model_name == "hushdesk-model"
    # The relative name the engine is given opens the model folder from its working directory.
    assert (Path(seen["cwd"]) / "hushdesk-model" / "config.json").read_text() == "{}"
    assert_clean_env(seen["env"], settings)
