"""The knowledge base's pooling engines, as real processes.

The embedding and reranker models are generated here (`services.engine.embed_model`) with RANDOM
weights: these tests check the plumbing (dimension, normalisation, determinism, batches, the key,
restarts, the manifest check, the vLLM command line), never the quality of the vectors.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest

from services.audit.checkpoints import Signer
from services.config import Settings
from services.engine.embed_model import EMBED_DIM, ensure_embed_model
from services.engine.integrity import ModelIntegrityError
from services.engine.specs import EMBED_KEY_ENV, Endpoint
from services.engine.supervisor import create_kb_engines, create_pooling_engine
from services.keys import load_keys
from services.kb.embed import Embedder, EmbeddingUnavailable, Reranker
from tests.support.process import ROOT, free_port, stop_process, wait_http
from tests.support.standins import STANDINS, alive, wait_gone

TEXTS = ["How do I get a refund?", "退款多久到账？", "Shipping takes three business days.", "快递 express"]


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("embed-models")
    return {"embed": ensure_embed_model(base / "embed"), "rerank": ensure_embed_model(base / "rerank", rerank=True)}


@pytest.fixture(scope="module")
def server(models):
    """The embedding server as a process, with its key in the environment (not argv)."""
    port, key = free_port(), "k-" + os.urandom(8).hex()
    env = {**os.environ, EMBED_KEY_ENV: key, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "services.engine.embed_server", "--model", str(models["embed"]),
                             "--port", str(port), "--served-model-name", "emb"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", timeout=90, proc=proc)
        yield Endpoint(f"http://127.0.0.1:{port}/v1", key, "emb")
    finally:
        stop_process(proc)


@pytest.mark.timeout(120)
def test_embed_server_vectors(server):
    embedder = Embedder(server, batch=3)
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), EMBED_DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = Embedder(server, batch=32).embed(TEXTS)  # one batch instead of two: same vectors
    assert np.allclose(vectors, again, atol=1e-5)
    single = np.stack([embedder.embed([t])[0] for t in TEXTS])  # alone (no padding) or in a batch: same
    assert np.allclose(vectors, single, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])
    # The OpenAI SDK's default (base64) encoding decodes to the same vectors.
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
    answer = client.embeddings.create(model="emb", input=TEXTS[:2])
    assert np.allclose(np.asarray([d.embedding for d in answer.data]), vectors[:2], atol=1e-5)
    assert answer.usage.prompt_tokens > 0


@pytest.mark.timeout(60)
def test_embed_server_requires_its_key_and_refuses_bad_input(server):
    url = server.base_url + "/embeddings"
    assert httpx.post(url, json={"input": "x"}).status_code == 401
    assert httpx.post(url, json={"input": "x"}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    auth = {"Authorization": f"Bearer {server.api_key}"}
    assert httpx.post(url, json={"input": [1, 2]}, headers=auth).status_code == 400
    assert httpx.post(url, json={"input": ["x"] * 257}, headers=auth).status_code == 400
    assert httpx.post(server.base_url + "/rerank", json={"query": "q", "documents": ["d"]},
                      headers=auth).status_code == 404


@pytest.mark.timeout(120)
def test_embed_server_refuses_to_start_without_a_key(models):
    env = {k: v for k, v in os.environ.items() if k != EMBED_KEY_ENV}
    done = subprocess.run([sys.executable, "-m", "services.engine.embed_server", "--model", str(models["embed"]),
                           "--port", str(free_port())], env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                          capture_output=True, timeout=60)
    assert done.returncode == 2


def _signed(settings: Settings, path: Path, **kw) -> Path:
    keys = load_keys(settings, create=True)
    return ensure_embed_model(path, signer=Signer(keys.signing_key), **kw)


@pytest.mark.engine
@pytest.mark.timeout(240)
def test_supervisor_runs_the_cpu_embedder_and_reranker_and_restarts_after_a_kill(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", engine="transformers", engine_start_timeout=90)
    settings = Settings(**{**settings.__dict__, "kb_embedding_model": _signed(settings, tmp_path / "embed"),
                           "kb_rerank_model": _signed(settings, tmp_path / "rerank", rerank=True)})
    embed_engine, rerank_engine = create_kb_engines(settings)
    embedder = Embedder(lambda: embed_engine.endpoint)
    reranker = Reranker(lambda: rerank_engine.endpoint)

    async def scenario():
        await asyncio.gather(embed_engine.start(), rerank_engine.start())
        try:
            first = await asyncio.to_thread(embedder.embed, TEXTS)
            scores = await asyncio.to_thread(reranker.rerank, "refund", TEXTS)
            pid, endpoint = embed_engine.pid, embed_engine.endpoint
            os.kill(pid, signal.SIGKILL)
            assert await asyncio.to_thread(wait_gone, pid)
            deadline = time.monotonic() + 90
            while not (embed_engine.state == "ready" and embed_engine.pid not in (None, pid)):
                assert time.monotonic() < deadline, embed_engine.state
                await asyncio.sleep(0.1)
            second = await asyncio.to_thread(embedder.embed, TEXTS)  # new port and key, same vectors
            return first, scores, second, pid, endpoint, embed_engine.endpoint, embed_engine.restarts
        finally:
            await asyncio.gather(embed_engine.stop(), rerank_engine.stop())

    first, scores, second, old_pid, old, new, restarts = asyncio.run(scenario())
    assert first.shape == (len(TEXTS), EMBED_DIM) and np.allclose(first, second, atol=1e-5)
    assert len(scores) == len(TEXTS) and all(0.0 <= s <= 1.0 for s in scores)
    assert restarts == 1 and (old.base_url, old.api_key) != (new.base_url, new.api_key)
    assert old.model_name == new.model_name == "hushdesk-embed"
    assert not alive(old_pid) and embed_engine.state == "stopped"
    with pytest.raises(EmbeddingUnavailable):  # stopped: no endpoint
        embedder.embed(["x"])


@pytest.mark.timeout(60)
def test_an_unsigned_embedding_model_is_never_launched(tmp_path, models):
    settings = Settings(data_dir=tmp_path / "data", engine="transformers")
    load_keys(settings, create=True)
    engine = create_pooling_engine(settings, model_dir=models["embed"])  # no manifest in that folder
    with pytest.raises(ModelIntegrityError):
        asyncio.run(engine.start())
    assert engine.pid is None


def _fake_vllm(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "vllm"
    program.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(STANDINS)!r})\n"
                       "from fake_engine_proc import main\nsys.exit(main())\n")
    program.chmod(0o755)
    return program


@pytest.mark.timeout(60)
@pytest.mark.parametrize("rerank", [False, True])
def test_gpu_path_launches_vllm_in_pooling_mode(tmp_path, monkeypatch, rerank):
    """On a GPU the same supervisor runs `vllm serve DIR --runner pooling` (here the stand-in `vllm`)."""
    record = tmp_path / "record.json"
    program = _fake_vllm(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_ENGINE_RECORD", str(record))
    monkeypatch.setenv("HUSHDESK_DB_KEY", "a" * 64)
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"architectures": ["Qwen3ForCausalLM"]}))
    settings = Settings(data_dir=tmp_path / "data", engine="vllm", require_model_manifest=False,
                        kb_pooling_gpu_memory_utilization=0.07, engine_extra_args=("--chat-only-flag",))
    engine = create_pooling_engine(settings, model_dir=model, rerank=rerank)

    async def scenario():
        await engine.start()
        endpoint = engine.endpoint
        await engine.stop()
        return endpoint

    endpoint = asyncio.run(scenario())
    seen = json.loads(record.read_text())
    port = endpoint.base_url.split(":")[-1].removesuffix("/v1")
    name = "hushdesk-embed-rerank" if rerank else "hushdesk-embed"
    expected = [str(program), "serve", str(model), "--runner", "pooling", "--host", "127.0.0.1", "--port", port,
                "--served-model-name", name, "--api-key", endpoint.api_key, "--max-model-len", "8192",
                "--gpu-memory-utilization", "0.07", "--disable-uvicorn-access-log", "--disable-log-stats"]
    if rerank:  # a Qwen3 causal LM is scored by its yes/no logits (FINDINGS)
        expected += ["--hf_overrides", '{"architectures":["Qwen3ForSequenceClassification"],'
                     '"classifier_from_token":["no","yes"],"is_original_qwen3_reranker":true}']
    assert seen["argv"] == expected  # like the chat engine: key on argv (vLLM's --api-key), loopback, no extras
    for name in ("VLLM_NO_USAGE_STATS", "VLLM_DO_NOT_TRACK", "DO_NOT_TRACK", "HF_HUB_OFFLINE"):
        assert seen["env"][name] == "1"
    assert not [n for n in seen["env"] if n.startswith("HUSHDESK_")]


def test_no_embedding_settings_means_no_engines(tmp_path):
    assert create_kb_engines(Settings(data_dir=tmp_path)) == (None, None)
    external = Settings(data_dir=tmp_path, kb_embedding_url="http://127.0.0.1:9/v1", kb_embedding_name="bge")
    embed, rerank = create_kb_engines(external)
    asyncio.run(embed.start())
    assert embed.endpoint.base_url == "http://127.0.0.1:9/v1" and embed.endpoint.model_name == "bge"
    assert rerank is None
