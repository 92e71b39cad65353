import pytest
from pydantic import ValidationError

from assistant.config import Settings, load_settings


def test_defaults_work_offline(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "PAPER_ASSISTANT_LLM"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.embedder == "minilm-int8" and settings.mode == "hybrid"
    assert settings.chroma_host is None
    assert settings.resolved_llm() == "local"


def test_environment_feeds_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPER_ASSISTANT_DATA_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("PAPER_ASSISTANT_TOP_K", "5")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = Settings()
    assert settings.data_dir == tmp_path / "idx" and settings.top_k == 5
    assert settings.resolved_llm() == "openai"
    assert "sk-test-not-real" not in repr(settings), "the key is a secret"


def test_flags_override_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPER_ASSISTANT_MODE", "bm25")
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    settings = load_settings(mode="dense", data_dir=tmp_path, top_k=None)
    assert settings.mode == "dense" and settings.data_dir == tmp_path
    assert settings.chroma_host == "127.0.0.1", "env values survive an override of other fields"


def test_bad_values_name_the_field(monkeypatch):
    monkeypatch.setenv("PAPER_ASSISTANT_MODE", "fuzzy")
    with pytest.raises(ValidationError, match="mode"):
        Settings()


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
