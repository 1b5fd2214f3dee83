"""Settings: defaults, parsing, errors that name the setting (never its value), README coverage."""

from pathlib import Path

import pytest

from services.config import SETTINGS, Secret, Settings, load_settings
from services.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_match_the_dataclass():
    loaded = load_settings({}, dotenv=False)
    assert loaded == Settings()
    assert loaded.data_dir == ROOT / "data"  # the project's, whatever the working folder
    assert loaded.engine == "auto"
    assert loaded.audit_db_path == ROOT / "data" / "audit.db"


def test_values_are_parsed_into_types(tmp_path):
    s = load_settings({
        "HUSHDESK_DATA_DIR": str(tmp_path),
        "HUSHDESK_ENGINE": "External",
        "HUSHDESK_ENGINE_URL": "http://127.0.0.1:9000/v1/",
        "HUSHDESK_ENGINE_API_KEY": "sk-abc",
        "HUSHDESK_MAX_INPUT_CHARS": "100",
        "HUSHDESK_ENGINE_EXTRA_ARGS": "--enforce-eager --seed 1",
        "HUSHDESK_LOG_LEVEL": "debug",
    }, dotenv=False)
    assert s.engine == "external"
    assert s.engine_url == "http://127.0.0.1:9000/v1"
    assert s.engine_api_key == Secret("sk-abc")
    assert "sk-abc" not in repr(s)
    assert s.max_input_chars == 100
    assert s.engine_extra_args == ("--enforce-eager", "--seed", "1")
    assert s.log_level == "DEBUG"


@pytest.mark.parametrize("name, value", [
    ("HUSHDESK_ENGINE", "gpu-please"),
    ("HUSHDESK_MAX_INPUT_CHARS", "lots"),
    ("HUSHDESK_MAX_INPUT_CHARS", "0"),
    ("HUSHDESK_ENGINE_START_TIMEOUT", "-1"),
    ("HUSHDESK_VLLM_GPU_MEMORY_UTILIZATION", "1.5"),
    ("HUSHDESK_ENGINE_URL", "ftp://x/v1"),
    ("HUSHDESK_ENGINE_URL", "http://127.0.0.1:9000"),
    ("HUSHDESK_TEMPERATURE", "3"),
    ("HUSHDESK_LOG_LEVEL", "LOUD"),
    ("HUSHDESK_MODEL_NAME", "Qwen 7B"),
    ("HUSHDESK_MODEL_NAME", "模型"),
])
def test_malformed_value_names_the_setting_not_the_value(name, value):
    with pytest.raises(ConfigError) as err:
        load_settings({name: value}, dotenv=False)
    assert name in err.value.message
    assert value not in err.value.message


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError) as err:
        load_settings({"HUSHDESK_ENGIN": "vllm"}, dotenv=False)
    assert "HUSHDESK_ENGIN" in err.value.message


def test_external_engine_needs_a_url():
    with pytest.raises(ConfigError) as err:
        load_settings({"HUSHDESK_ENGINE": "external"}, dotenv=False)
    assert "HUSHDESK_ENGINE_URL" in err.value.message


def test_dotenv_is_found_from_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HUSHDESK_MAX_OUTPUT_TOKENS=77\nHUSHDESK_HISTORY_TURNS=3\n")
    monkeypatch.chdir(tmp_path)
    s = load_settings({"HUSHDESK_HISTORY_TURNS": "5"})
    assert s.max_output_tokens == 77
    assert s.history_turns == 5  # the environment wins over .env


def test_from_another_folder_the_project_env_and_data_are_used(tmp_path, monkeypatch):
    # `/path/to/hushdesk/.venv/bin/python -m services.kb add docs` run from a folder of documents: no .env
    # there, so the project's is read (if any), and the data folder is the project's, not ./data.
    import services.config as config

    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("HUSHDESK_HISTORY_TURNS=3\n")
    elsewhere = tmp_path / "docs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(config, "PROJECT", project)
    assert load_settings({}).history_turns == 3
    (elsewhere / ".env").write_text("HUSHDESK_HISTORY_TURNS=4\n")
    assert load_settings({}).history_turns == 4  # the working folder's .env first
    assert load_settings({}, dotenv=False).data_dir == ROOT / "data"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_settings_field_has_a_setting_row():
    fields = set(Settings.__dataclass_fields__)
    assert fields == {s.attr for s in SETTINGS}
