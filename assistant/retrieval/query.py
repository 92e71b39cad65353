"""Reading a question: is it a list question, and what is its topic?

"Which papers study shortcut learning?" -> list question, topic "shortcut learning".
Retrieval searches for the topic, so that words like "papers" and "study" do not
pull in papers that merely contain them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LIST_LEAD = re.compile(
    r"""^\s*(?:
        (?:which|what)\s+(?:other\s+)?(?:papers?|works?|articles?|studies|publications?|methods?|approaches?)
        (?:\s+in\s+the\s+corpus)?
        (?:\s+(?:are|is|were)\s+(?:about|on|there\s+(?:on|about)))?
        (?:\s+(?:study|studies|investigate|investigates|address|addresses|tackle|tackles|propose|proposes|
               deal\s+with|deals\s+with|work\s+on|works\s+on|focus\s+on|focuses\s+on|discuss|discusses|
               analy[sz]e|analy[sz]es|use|uses|apply|applies|develop|develops|explore|explores|examine|
               examines|build|builds|process|processes|argue|argues|are\s+about|is\s+about|look\s+at)
           (?:\s+(?:or|and)\s+\w+)?)?
      | (?:are\s+there\s+(?:any\s+)?|list\s+(?:the\s+|all\s+)?|find\s+(?:me\s+)?(?:the\s+|all\s+)?|show\s+(?:me\s+)?)
        (?:papers?|works?|articles?|studies)(?:\s+(?:on|about|that|which|studying))?
      | what\s+has\s+been\s+(?:written|published|done)\s+(?:on|about)
      | (?:papers?|works?|research)\s+(?:on|about)
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING = re.compile(r"[\s?.!]+$")
_LIST_ANYWHERE = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,3}?(?:papers|works|articles|publications)\b"
    r"|\bare\s+there\s+(?:any\s+)?(?:papers|works)\b",
    re.IGNORECASE,
)
_LIST_CLAUSE = re.compile(
    r"[:;,]?\s*\b(?:which|what)\s+papers\s+\w+(?:\s+this)?\s*\??\s*$"
    r"|^\s*(?:which|what)\s+([\w-]+(?:\s+[\w-]+){0,2})\s+papers\s+",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:who|what|which|when|where|why|how|is|are|do|does|did|can|could|should|would|will|has|have|"
    r"according|in|on|by|with|across|compare|two|list|find|show)\b",
    re.IGNORECASE,
)
_FILLER = re.compile(r"^(?:the\s+topic\s+of\s+|the\s+)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  # the question as asked (trimmed)
    topic: str  # what to search for
    is_list: bool  # "which papers ...?": the answer must name every relevant paper


def parse_question(question: str) -> ParsedQuestion:
    text = " ".join(question.split())
    match = _LIST_LEAD.match(text)
    if match and match.end() < len(text):
        topic = _FILLER.sub("", _TRAILING.sub("", text[match.end():]))
        return ParsedQuestion(text, topic or text, True)
    if _LIST_ANYWHERE.search(text):
        # "Which detection papers redesign X?" / "X: which papers do this?"
        topic = _LIST_CLAUSE.sub(lambda m: (m.group(1) or "") + " ", text)
        return ParsedQuestion(text, _TRAILING.sub("", topic).strip() or text, True)
    # a bare topic ("intrinsic dimension of data") asks for the papers on it
    bare = "?" not in text and not _QUESTION_START.match(text)
    return ParsedQuestion(text, _TRAILING.sub("", text) or text, bare)
