"""The ``openai`` LLM: the openai SDK, against OpenAI or any OpenAI-compatible server
(``OPENAI_BASE_URL`` / ``--base-url``: Ollama, vLLM, LM Studio, llama.cpp's server).

Errors reach callers as LLMError with a message fit for the user: no stack trace, never
an API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from .llm_base import LLMError

if TYPE_CHECKING:
    from ..config import Settings


class OpenAIChat:
    backend = "openai"
    generative = True
    composes = True  # a strong model writes the whole answer with [n] markers; the pipeline checks them
    judges = True  # it reads the candidates and decides what answers; the pipeline verifies (judged.py)
    scores_tokens = True  # it returns the first token's log-probabilities (the per-paper judge, judged_each.py)
    needs_key = True
    model_setting = "openai_model"
    base_url_setting = "openai_base_url"

    def __init__(
        self, model: str, api_key: str | None, base_url: str | None, *, timeout: float = 60.0,
        max_retries: int = 2, context_window: int = 16384, json_mode: str = "json_schema",
    ):
        self.model = model
        self.base_url = base_url
        self.context_window = context_window
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = None
        self.json_mode = json_mode  # how a judging request asks for JSON (switches once if the server refuses)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "OpenAIChat":
        s = settings.llm
        return cls(s.openai_model, s.openai_key(), s.openai_base_url, timeout=s.llm_timeout_s,
                   max_retries=s.llm_retries, context_window=s.openai_context, json_mode=s.openai_json_mode)

    def available(self) -> tuple[bool, str]:
        """An OpenAI key, or the URL of a compatible server (which may need none)."""
        if not (self._api_key or self.base_url):
            return False, "set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
        return True, f"model {self.model} at {self._where()}"

    @property
    def client(self):
        if self._client is None:
            from openai import OpenAI

            # the SDK retries connection errors, timeouts, 429 and 5xx with exponential backoff
            self._client = OpenAI(
                api_key=self._api_key or "not-needed", base_url=self.base_url,
                timeout=self._timeout, max_retries=self._max_retries,
            )
        return self._client

    def load(self) -> None:
        """Nothing to load: the client connects on the first request."""

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def complete_json(self, messages, schema: dict, *, max_tokens: int) -> str:
        """The whole reply at once, as JSON held to ``schema``: the OpenAI JSON-schema format,
        or llama-cpp-python's ``json_object`` with a schema when a server refuses the first."""
        import openai

        formats = {"json_schema": {"type": "json_schema", "json_schema": {"name": "judgement", "schema": schema,
                                                                          "strict": True}},
                   "json_object": {"type": "json_object", "schema": schema}}
        mode = self.json_mode  # this request's (another thread may switch the attribute meanwhile)
        extra = {"response_format": formats[mode]} if mode in formats else {}

        def ask(client, **extra):
            return client.chat.completions.create(model=self.model, messages=messages, max_tokens=max_tokens,
                                                  temperature=0.0, **extra)

        def with_fallback():
            try:  # llama-cpp-python's server answers a json_schema request with HTTP 500: no retries for it
                return ask(self.client.with_options(max_retries=0) if mode == "json_schema" else self.client, **extra)
            except openai.APIStatusError as exc:
                if mode != "json_schema" or exc.status_code not in (400, 422, 500):
                    raise
                self.json_mode = "json_object"  # llama-cpp-python's server knows only this one
                return ask(self.client, response_format=formats["json_object"])

        reply = self._reply(with_fallback)
        choice = reply.choices[0] if reply.choices else None
        if choice is None or getattr(choice.message, "refusal", None):
            raise LLMError("the model refused to judge the candidates")
        return choice.message.content or ""

    def first_token_scores(self, messages, *, max_tokens: int, top: int = 10) -> tuple[str, dict[str, float]]:
        """The greedy reply, and the log-probability of each of the ``top`` likeliest first tokens
        (empty when the server returns none)."""
        reply = self._reply(lambda: self.client.chat.completions.create(
            model=self.model, messages=messages, max_tokens=max_tokens, temperature=0.0, logprobs=True,
            top_logprobs=top))
        choice = reply.choices[0] if reply.choices else None
        if choice is None:
            raise LLMError("the OpenAI-compatible server returned no reply")
        content = getattr(getattr(choice, "logprobs", None), "content", None)  # none: a server without them
        scores: dict[str, float] = {}
        for item in (content[0].top_logprobs or []) if content else []:
            scores[item.token] = max(scores.get(item.token, float("-inf")), item.logprob)
        return choice.message.content or "", scores

    def _reply(self, request):
        """A whole (not streamed) reply from ``request()``, its errors as LLMError."""
        import openai

        try:
            return request()
        except openai.APIStatusError as exc:
            raise LLMError(f"the OpenAI-compatible server answered HTTP {exc.status_code} ({_reason(exc)})") from None
        except openai.APITimeoutError:
            raise LLMError(f"the OpenAI-compatible server timed out after {self._timeout:g}s") from None
        except openai.APIError as exc:
            raise LLMError(f"could not get a reply from the OpenAI-compatible server ({type(exc).__name__})") from None

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        import httpx
        import openai

        started = finished = False  # the server accepted the request; a choice has a finish_reason
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens,
                temperature=temperature, stream=True,
            )
            started = True
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
                if chunk.choices and chunk.choices[0].finish_reason:
                    finished = True
        except openai.APIStatusError as exc:
            raise LLMError(f"the OpenAI-compatible server answered HTTP {exc.status_code} ({_reason(exc)})") from None
        except openai.APITimeoutError:
            raise LLMError(f"the OpenAI-compatible server timed out after {self._timeout:g}s") from None
        except openai.APIConnectionError:
            # the SDK also raises this when the connection drops while the stream is read
            if started:
                raise LLMError("the OpenAI-compatible stream broke off: the connection was lost") from None
            raise LLMError(f"could not connect to the OpenAI-compatible server at {self._where()}") from None
        except (openai.APIError, httpx.HTTPError) as exc:
            raise LLMError(f"the OpenAI-compatible stream broke off: {type(exc).__name__}") from None
        except (ValueError, TypeError, AttributeError):  # an event that is not JSON, or JSON but not a chunk
            if not started:
                raise  # a bug on this side, not the server's doing
            raise LLMError("the OpenAI-compatible stream broke off: the server sent a malformed chunk") from None
        if not finished:  # the SDK ends quietly when the body ends without [DONE]
            raise LLMError("the OpenAI-compatible stream broke off: it ended before the reply was finished")

    def _where(self) -> str:
        return redact_url(self.base_url) if self.base_url else "api.openai.com"


def redact_url(url: str) -> str:
    """A URL fit to show: user:password@ and query strings (which may carry keys) removed."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _reason(exc) -> str:
    reasons = {401: "unauthorised: check OPENAI_API_KEY", 403: "forbidden", 404: "model or URL not found",
               429: "rate limited", 500: "server error", 502: "bad gateway", 503: "unavailable"}
    return reasons.get(exc.status_code, "request failed")
