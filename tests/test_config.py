import pytest
from pydantic import ValidationError

from assistant.answering import resolve_llm
from assistant.config import Settings, load_settings


def test_defaults_work_offline(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "PAPER_ASSISTANT_LLM"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.index.embedder == "minilm-int8" and settings.retrieval.mode == "hybrid"
    assert settings.storage.chroma_host is None and settings.storage.resolved_vector_store() == "chroma"
    assert resolve_llm(settings) == "local"


def test_environment_feeds_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPER_ASSISTANT_DATA_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("PAPER_ASSISTANT_TOP_K", "5")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings()
    assert settings.storage.data_dir == tmp_path / "idx" and settings.retrieval.top_k == 5
    assert resolve_llm(settings) == "openai"
    assert "sk-test-not-real" not in repr(settings), "the key is a secret"


def test_flags_override_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPER_ASSISTANT_MODE", "bm25")
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    settings = load_settings(mode="dense", data_dir=tmp_path, top_k=None)
    assert settings.retrieval.mode == "dense" and settings.storage.data_dir == tmp_path
    assert settings.storage.chroma_host == "127.0.0.1", "env values survive an override of other fields"
    assert settings.storage.resolved_vector_store() == "chroma-server"


def test_bad_values_name_the_field(monkeypatch):
    monkeypatch.setenv("PAPER_ASSISTANT_MODE", "fuzzy")
    with pytest.raises(ValidationError, match="retrieval.mode"):
        load_settings()


def test_settings_have_a_section_per_stage():
    settings = Settings(top_k=5, llm="extractive", data_dir="/tmp/x")  # flat names are routed to their sections
    assert settings.retrieval.top_k == 5 and settings.llm.backend == "extractive"
    assert str(settings.storage.data_dir) == "/tmp/x"
    assert settings.updated(mode="bm25").retrieval.mode == "bm25" and settings.retrieval.mode == "hybrid"
    with pytest.raises(ValueError, match="unknown setting 'top_kk'"):
        Settings(top_kk=5)
    with pytest.raises(ValidationError, match="top_k"):
        settings.updated(top_k=0)


def test_calibrated_values_come_from_the_versioned_file(tmp_path):
    import json

    from assistant.answering.support import SupportThresholds
    from assistant.calibration import CalibrationError
    from assistant.layout import CALIBRATION_FILE
    from assistant.retrieval.relevance import RelevanceThresholds

    data = json.loads(CALIBRATION_FILE.read_text())
    assert data["version"] == 1 and "dev split" in data["meta"]["fitted_on"]
    assert SupportThresholds.bundled().supported_similarity == data["support"]["supported_similarity"]
    assert RelevanceThresholds.bundled().list_margin == data["relevance_gate"]["list_margin"]
    changed = tmp_path / "calibration.json"
    changed.write_text(json.dumps(data | {"support": data["support"] | {"weak_similarity": 0.11}}))
    assert SupportThresholds.bundled(changed).weak_similarity == 0.11
    changed.write_text(json.dumps(data | {"version": 99}))
    with pytest.raises(CalibrationError, match="version"):
        RelevanceThresholds.bundled(changed)


def test_import_builds_nothing():
    import subprocess
    import sys

    code = (
        "import sys, assistant.app.cli, assistant.api, assistant.config;"
        "heavy = [m for m in ('torch', 'llama_cpp', 'gradio', 'chromadb', 'sentence_transformers', 'onnxruntime') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
