"""The generated demo model: fast, offline, complete, atomic, and loadable by transformers."""

from __future__ import annotations

import json
import time

import pytest

from services.engine import demo_model
from services.engine.demo_model import MARKER_FILE, ensure_demo_model, is_demo_model
from services.errors import ConfigError

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return ensure_demo_model(tmp_path_factory.mktemp("demo") / "demo-model")


def test_generates_quickly_and_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    started = time.monotonic()
    path = ensure_demo_model(tmp_path / "m")
    assert time.monotonic() - started < 2.0
    assert path == tmp_path / "m" and is_demo_model(path)
    assert json.loads((path / MARKER_FILE).read_text())["demo"] is True
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                 "model.safetensors"):
        assert (path / name).is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary folder left behind


def test_second_call_keeps_the_model(model_dir):
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_demo_model(model_dir) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def test_is_deterministic(model_dir, tmp_path):
    again = ensure_demo_model(tmp_path / "again")
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (again / name).read_bytes() == (model_dir / name).read_bytes()


def test_incomplete_folder_is_replaced(tmp_path):
    broken = tmp_path / "m"
    broken.mkdir()
    (broken / "config.json").write_text("{")
    assert not is_demo_model(broken)
    ensure_demo_model(broken)
    assert is_demo_model(broken)
    json.loads((broken / "config.json").read_text())


def test_foreign_folder_is_never_deleted(tmp_path):
    foreign = tmp_path / "m"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError):
        ensure_demo_model(foreign)
    assert (foreign / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_failed_build_leaves_nothing(tmp_path, monkeypatch):
    def fail(_path):
        raise OSError("disk full")

    monkeypatch.setattr(demo_model, "_write_weights", fail)
    with pytest.raises(OSError):
        ensure_demo_model(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_is_demo_model_needs_marker_and_files(tmp_path, model_dir):
    assert not is_demo_model(tmp_path / "missing")
    assert not is_demo_model(tmp_path)
    (tmp_path / MARKER_FILE).write_text('{"demo": true}')
    assert not is_demo_model(tmp_path)  # marker without the model files


def test_config_shape(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    assert config["architectures"] == ["Qwen2ForCausalLM"]
    assert (config["num_hidden_layers"], config["hidden_size"], config["num_attention_heads"],
            config["num_key_value_heads"], config["vocab_size"], config["max_position_embeddings"]) == (
        2, 128, 2, 1, 512, 4096)
    assert config["head_dim"] == 64  # vLLM GPU attention kernels need head size >= 64
    generation = json.loads((model_dir / "generation_config.json").read_text())
    assert generation["eos_token_id"] == config["eos_token_id"]
    assert generation["max_new_tokens"] > 0


def test_loads_and_chats_with_transformers(model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    assert len(tokenizer) == 512
    assert tokenizer.eos_token == "<|im_end|>"
    assert {"<|im_start|>", "<|im_end|>", "<|endoftext|>"} <= set(tokenizer.all_special_tokens)
    text = "您好，订单 12345 已发货. Hello, your order has shipped!"
    assert tokenizer.decode(tokenizer(text)["input_ids"]) == text

    prompt = tokenizer.apply_chat_template(
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好"}],
        add_generation_prompt=True, tokenize=False,
    )
    assert prompt == ("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n"
                      "<|im_start|>assistant\n")
    inputs = tokenizer(prompt, return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=4, do_sample=False)
    assert output.shape[1] > inputs["input_ids"].shape[1]
    assert model.generation_config.eos_token_id == tokenizer.eos_token_id
    assert 200_000 < model.num_parameters() < 300_000  # tiny; head size 64 for GPU kernels
