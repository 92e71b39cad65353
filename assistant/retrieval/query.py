"""Reading a question: is it a list question, and what is its topic?

"Which papers study shortcut learning?" -> list question, topic "shortcut learning".
Retrieval searches for the topic, so that words like "papers" and "study" do not
pull in papers that merely contain them. Short forms ask for lists too: "papers on X?",
"anything on X?", "any X work?", "X papers?", a bare "X?".

The answer's heading names what was asked as a noun phrase ("on shortcut learning") or as
the question's own clause ("that work with audio data"): :attr:`ParsedQuestion.heading`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .filters import read_date_filter

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
      | (?:are\s+there\s+(?:any\s+)?|list\s+(?:the\s+|all\s+)?|find\s+(?:me\s+)?(?:the\s+|all\s+)?|show\s+(?:me\s+)?
         |any\s+|is\s+there\s+(?:any|an?)\s+)
        (?:papers?|works?|articles?|studies|research)(?:\s+(?:on|about|that|which|studying|where|proposing|using))?
      | what\s+has\s+been\s+(?:written|published|done)\s+(?:on|about)
      | what\s+(?:work|research)\s+is\s+there\s+(?:on|about)
      | (?:anything|something)\s+(?:on|about|that|using|related\s+to)
      | (?:papers?|works?|research)\s+(?:on|about|that|which|where|proposing|using)
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING = re.compile(r"[\s?.!]+$")
_LIST_ANYWHERE = re.compile(
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,3}?(?:papers|works|articles|publications|studies)\b"
    r"(?!\s+(?:best|better|well|worse|most))"  # "which combination works best" is no list
    r"|\bare\s+there\s+(?:any\s+)?(?:[\w-]+\s+){0,3}?(?:papers|works|studies)\b|\bwhich\s+are\s+there\b"
    r"|^\s*is\s+there\s+(?:any|an?)\s+(?:[\w-]+\s+){0,3}?(?:papers?|works?|studies|study)\b",
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
# "any style transfer work?", "pathology papers?", "contrastive learning papers?"
_SHORT_LIST = re.compile(r"^(?:any\s+|anything\s+)?(.+?)\s+(?:papers?|work|works|studies|research)\s*\??$", re.IGNORECASE)
_WH_ANYWHERE = re.compile(r"\b(?:what|which|how|who|whom|whose|when|where|why)\b", re.IGNORECASE)
_ANY_YEAR = 2100  # the newest year a relative date phrase ("last year") counts from, for the heading only
MAX_BARE_WORDS = 15  # a bare "X?" this short asks for the papers on X
# what a heading must not carry over from the question: "(on X) were published", "(X) are there"
_TAIL_VERB = re.compile(r"\s+(?:were|was|are|is|have\s+been|has\s+been)\s+(?:published|released|written|posted|out|there)$"
                        r"|\s+are\s+there$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  # the question as asked (trimmed)
    topic: str  # what to search for
    is_list: bool  # "which papers ...?": the answer must name every relevant paper

    @property
    def heading(self) -> str:
        """What a list question asks for, to follow "papers": "on shortcut learning",
        "that work with audio data", "matching “…”" (never "were published", nor a date phrase: a
        filter's years are said by the answer's "where", and words the user kept are searched, not titled)."""
        return _read(read_date_filter(self.text, _ANY_YEAR)[0])[2]


def parse_question(question: str) -> ParsedQuestion:
    text = " ".join(question.split())
    topic, is_list, _ = _read(text)
    return ParsedQuestion(text, topic, is_list)


def _read(text: str) -> tuple[str, bool, str]:
    """The topic, whether it asks for a list, and the heading's phrase."""
    text = " ".join(text.split())
    match = _LIST_LEAD.match(text)
    if match and match.end() < len(text) and not _ONE_PAPER.match(text):
        topic = _TAIL_VERB.sub("", _FILLER.sub("", _TRAILING.sub("", text[match.end():])))
        return _ON.sub("", topic) or text, True, _lead_heading(text[:match.end()], topic or text)
    if _LIST_ANYWHERE.search(text):
        # "Which detection papers redesign X?" / "X: which papers do this?"
        topic = _LIST_CLAUSE.sub(lambda m: (m.group(1) or "") + " ", text)
        return _TRAILING.sub("", topic).strip() or text, True, _matching(text)
    short = _SHORT_LIST.match(text)
    if short and not _QUESTION_START.match(text) and not _WH_ANYWHERE.search(text):
        return short.group(1).strip(), True, "on " + short.group(1).strip()
    # a bare topic ("intrinsic dimension of data", "multi-view representation learning?") asks for its papers
    plain = _ABBREVIATION.sub("", text.rstrip("?").rstrip())
    bare = not _QUESTION_START.match(text) and ("?" not in text or (
        text.count("?") == 1 and text.endswith("?") and not _WH_ANYWHERE.search(_WH_RELATIVE.sub("", text))
        and len(text.split()) <= MAX_BARE_WORDS and "." not in plain))
    topic = _TRAILING.sub("", text) or text
    heading = _matching(text) if _PAPER_WORD.search(topic) else "on " + topic
    return topic, bare, heading


# "Which paper introduced X?" asks for one paper (a fact), not a list
_ONE_PAPER = re.compile(r"^\s*(?:which|what)\s+(?:other\s+)?(?:paper|article|publication)\b(?!s)", re.IGNORECASE)
_ON = re.compile(r"^(?:(?:are|is)\s+)?(?:on|about)\s+(?=\S)", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf)\.", re.IGNORECASE)
_WH_RELATIVE = re.compile(r"(?<=\w)\s+(?:when|where)\b", re.IGNORECASE)  # "representations when models change?"
_PAPER_WORD = re.compile(r"\b(?:papers?|works?|studies|articles?)\b", re.IGNORECASE)
_RELATIVE = {"that", "which", "where", "using", "proposing", "studying"}
_ABOUT_LEAD = re.compile(r"\b(?:on|about|concerning|regarding|to)$", re.IGNORECASE)


def _lead_heading(lead: str, topic: str) -> str:
    """The heading after a "which papers ..." lead: "on <topic>" when the lead ends in its
    verb or a preposition, "that <clause>" when it ends in the subject."""
    words = lead.split()
    last = words[-1].lower()
    if _ABOUT_LEAD.search(lead.rstrip()):  # "papers on | X"
        return "on " + topic
    if last in _RELATIVE:
        if words[0].lower() in {"anything", "something"} and last == "that":
            return "that " + _plural_verb(topic)
        return f"{last} {topic}"
    if _SUBJECT_END.search(lead):  # "which papers | work with audio data"
        about = re.match(r"^(?:(?:are|is)\s+)?(?:on|about|concerning|regarding)\s+(.+)$", topic, re.IGNORECASE)
        if about:  # "which papers | on shortcut learning (were published)"
            return "on " + about.group(1)
        first = topic.split()[0].lower()  # "which papers | evaluating X", "| in vision"
        if first.endswith("ing") or first in {"in", "for", "with", "from", "of", "by"}:
            return topic
        if first in {"are", "is"} and topic.split()[1:2] and topic.split()[1].lower() in {"there"}:
            return "on " + " ".join(topic.split()[2:])
        return "that " + topic
    verb = _VERB_AFTER_SUBJECT.search(lead)
    if verb and verb.group(1).lower().split()[0] not in _TOPIC_VERBS:  # "which papers apply | deep learning to X"
        return f"that {verb.group(1).strip()} {topic}"
    return "on " + topic


# verbs after which the rest is what the papers are on ("which papers study X": "on X")
_TOPIC_VERBS = {"study", "studies", "address", "addresses", "investigate", "investigates", "tackle", "tackles",
                "deal", "deals", "work", "works", "focus", "focuses", "discuss", "discusses", "examine", "examines",
                "explore", "explores", "look", "are", "is", "analyze", "analyse", "analyzes", "analyses"}
_VERB_AFTER_SUBJECT = re.compile(
    r"\b(?:papers?|works?|articles?|studies|publications?|methods?|approaches?|corpus)\s+([a-z]+(?:\s+(?:or|and)\s+[a-z]+)?"
    r"(?:\s+(?:with|on|to|at))?)\s*$", re.IGNORECASE)


_SUBJECT_END = re.compile(r"\b(?:papers?|works?|articles?|studies|publications?|methods?|approaches?|corpus)\s*$",
                          re.IGNORECASE)


def _plural_verb(clause: str) -> str:
    """"uses category theory" -> "use category theory" (after "papers that")."""
    first, _, rest = clause.partition(" ")
    if first.lower().endswith("ies"):
        first = first[:-3] + "y"
    elif first.lower().endswith(("sses", "shes", "ches", "xes")):
        first = first[:-2]
    elif first.lower().endswith("s") and not first.lower().endswith("ss"):
        first = first[:-1]
    return f"{first} {rest}".strip()


def _matching(text: str) -> str:
    return "matching \u201c" + _TRAILING.sub("", text) + "\u201d"
