"""Turn a follow-up question into a standalone one, using the chat history.

With an LLM, the condense_question prompt asks it to rewrite the question; its reply
is kept only if it looks like a question about the same things (a small model may
drift). Without one, or when the reply is unusable, the previous question's topic is
carried into the new one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .llm_base import LLMError
from ..retrieval.query import parse_question

if TYPE_CHECKING:
    from .llm_base import ChatLLM
    from .prompts import Prompts

_REFERRING = re.compile(
    r"\b(they|them|their|theirs|those|these|it|its|this|that|such|same|above|previous|former|latter|"
    r"ones?|both|either|neither|which of|any of|more|else|others?)\b",
    re.IGNORECASE,
)


def needs_context(question: str) -> bool:
    return bool(_REFERRING.search(question))


def condense(
    history: list[tuple[str, str]], question: str, llm: "ChatLLM | None", prompts: "Prompts"
) -> str:
    """history: (user question, assistant answer) pairs, oldest first."""
    question = " ".join(question.split())
    if not history or not needs_context(question):
        return question
    last_question = history[-1][0]
    fallback = f"{question} ({parse_question(last_question).topic})"
    if llm is None or not llm.generative:
        return fallback
    transcript = "\n".join(f"User: {q}\nAssistant: {a[:300]}" for q, a in history[-3:])
    messages = [{"role": "user", "content": prompts.render("condense_question", history=transcript, question=question)}]
    try:
        reply = "".join(llm.stream(messages, max_tokens=60, temperature=0.0))
    except LLMError:
        return fallback
    reply = " ".join(reply.strip().strip('"').split())
    first_line = reply.split("? ")[0].rstrip("?") + "?" if "?" in reply else reply
    topic_words = set(re.findall(r"\w{4,}", parse_question(last_question).topic.lower()))
    keeps_topic = not topic_words or topic_words & set(re.findall(r"\w{4,}", first_line.lower()))
    if 8 <= len(first_line) <= 300 and keeps_topic:
        return first_line
    return fallback
