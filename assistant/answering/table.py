"""A comparison table for list answers: one row per cited paper, each cell a verbatim span of its abstract or "–".

Rule-based over the abstract's sentences, no LLM; precision over recall ("–" beats a wrong cell). Cells:
- task: the clause after "we study/address/tackle/focus on/investigate/consider the ... problem", else after "the
  problem/task of" in the authors' voice, else a defining first sentence ("Face parsing aims to ..."), else the title's
  task phrase ("... for Link Prediction") where the abstract uses it, else what the method is "for".
- method: the clause after "we propose/introduce/present/develop/design/devise" (not a study, survey or data set),
  else the name before the title's colon ("OmniFusion: ...") where the abstract uses it.
- data sets: known benchmarks (ImageNet, CIFAR-10, COCO, QM9, GLUE, ...), "X dataset/benchmark" and "datasets (namely
  A and B)" names; the cell is the longest run of names joined only by list words ("A, B and C") in ONE sentence.
- headline result: a sentence on the paper's own work with a number and a unit or metric ("91.5% accuracy", "by 3.2
  points", "2x") beside a result word (state-of-the-art/outperform/achieve/improve first), else an "outperforms"
  claim; a long sentence is cut to the clause around the number.
Clauses end at ";", ":", ", which/while/...", " - " or "and we show/..." outside brackets; cells are cut to ``CAP``
characters at a comma or space and stay exact substrings (``abstract[start:end]``). An LLM back-end may later only
*choose among* these candidate spans, never write a cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus.papers import Paper
from ..text.terms import specific_terms
from ..text.sentences import Sentence, split_sentences

COLUMNS = ("task", "method", "data sets", "headline result")
NONE = "–"
CAP = 200  # longest cell, in characters


@dataclass(frozen=True)
class Cell:
    text: str  # a verbatim span of the abstract, or "–"
    start: int | None  # offsets into paper.abstract (None for "–")
    end: int | None


@dataclass(frozen=True)
class Row:
    paper_id: str
    title: str
    cells: dict[str, Cell]


EMPTY = Cell(NONE, None, None)
_WE = r"\b(?:[Ww]e|[Tt]his (?:paper|work|study)|[Oo]ur (?:paper|work))\s+(?:(?:also|further|first|then|here|newly)\s+)?"
_THE_TASK = r"(?:the (?:[\w-]+ ){0,2}(?:problem|task) of\s+)"
_NOT_TASK = (r"(?!(?:how|whether|if|why|what|where|when|which|this|these|those|such|them|it|"
             r"the (?:above|aforementioned|same|use)|(?:an?|the|two|three|several) (?:[\w-]+ )?"
             r"(?:challenge|issue|limitation|gap|question)s?)\b)")  # not a pronoun, a question or "a challenge"
_TASK_CUE = re.compile(_WE + r"(?:stud(?:y|ies)|address(?:es)?|tackles?|focus(?:es)? on|investigates?|considers?"
                       r"(?= (?:the|a|an) (?:[\w-]+ ){0,3}(?:problem|task|setting)\b))\s+" + _THE_TASK + "?"
                       + _NOT_TASK)
_PROBLEM_CUE = re.compile(r"\b" + _THE_TASK + _NOT_TASK)
_VOICE = re.compile(r"\b(?:we|our|this (?:paper|work|study))\b", re.IGNORECASE)
_DEFINES = re.compile(r"^[A-Z][^,;:()]{2,80}?\s+(?:aims? to|is the (?:task|problem) of|refers to|is concerned with"
                      r"|is an? (?:[\w-]+ ){0,3}(?:task|problem))\b")
_FOR_CUE = re.compile(r"(?<![Aa]llow )(?<!account )(?<!search )(?<!searches )(?<!suitable )(?<!flexible )"
                      r"\b(?:for|to (?:tackle|address|solve|improve))\s+(?!(?:the first time|example|instance|each|all|"
                      r"this|these|both)\b)")
_TASK_WORD = re.compile(r"\b(?![\w-]*(?:training|tuning)\b|(?:representation|information|function|distribution|setting"
                        r"|using|being|making|having|existing)\b)[a-z][\w-]*(?:tion|sion|sis|ing)\b|\btasks?\b")
_TASK_END = re.compile(r"(?<!\bvi)(?<!representa)(?<!informa)(?:tion|sion|sis|ing)$", re.IGNORECASE)
_METHOD_CUE = re.compile(_WE + r"(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?"
                         r"|devise[sd]?|put forward)\s+(?!(?:that|our (?:findings|results))\b)")
_NOT_METHOD = re.compile(r"^(?:(?:an?|the|our)\s+)?(?:[\w`'-]+\s+){0,3}(?:study|analysis|survey|taxonomy|review"
                         r"|findings|results|overview|evidence|perspective)\b"
                         r"|^[^,]{0,90}\b(?:datasets?|data sets?|benchmarks?|corpus)\b")  # a new data set
_KNOWN = "|".join(r"""ImageNet(?:-1[Kk]|-21[Kk]|-A|-R|-C|-V2)? Tiny-?ImageNet mini-?ImageNet [Cc](?:IFAR|ifar)-?100?
    (?:MS[-\s]?)?COCO PASCAL(?:\sVOC)? VOC QM9 ZINC MoleculeNet OGB[\w-]* Cora Citeseer Pub[Mm]ed (?:Super)?GLUE SQuAD
    MNIST Fashion-MNIST SVHN STL-10 CelebA(?:-HQ)? FFHQ AFHQ LSUN (?:Semantic\s)?KITTI Cityscapes ADE20K nuScenes Waymo
    ShapeNet ScanNet ModelNet-?40 ScanObjectNN Kinetics(?:-\d+)? UCF-?101 HMDB-?51 WMT\d* IWSLT\d* LibriSpeech PTB
    Penn\sTreebank Wiki[Tt]ext(?:-\d+)? MMLU GSM8K HumanEval MBPP BIG-?Bench HellaSwag TriviaQA HotpotQA MS\sMARCO BEIR
    MTEB LAION(?:-\w+)? Omniglot CUB(?:-200)? Flickr30[Kk] VQAv2 GQA LVIS Objects365 Open\s?Images Places365
    iNaturalist DOTA MVTec(?:\sAD)? Office-Home Office-31 DomainNet NYUD?(?:-?v2)? Camelyon1[67] CTW1500 Total-Text
    ICDAR SPair-71k WebFace\d+M MS1M LFW Sentinel-2 GTA5 SYNTHIA D4RL Atari MuJoCo DAVIS YouTube-VOS Criteo
    MovieLens(?:\s\d+[KM])? MIMIC(?:-III|-IV)? ILSVRC IN-?1K HRSC2016 M3FD LLVIP Objaverse(?:-LVIS)?
    (?:Multi)?ColoredMNIST MultiColorMNIST""".split())
_DATASET = re.compile(rf"(?<![\w-])(?:{_KNOWN})(?:[- ]?(?:19|20)\d\d)?(?:/\d+)*(?![\w-])"
                      r"|(?<![\w-])[A-Z][\w-]*[A-Z0-9][\w-]*(?= (?:dataset|benchmark|data set|corpus)\b)")
_NAMELY = re.compile(r"(?:datasets|data sets|databases|benchmarks)\s*\((?:namely |e\.g\.,? |i\.e\.,? )?"
                     r"([^()]{2,120})\)")
_ACRONYM = re.compile(r"(?<![\w-])[A-Z][\w-]*[A-Z0-9][\w-]*")
_LISTED = re.compile(r"(?:\s[a-z][\w-]*){0,2}(?:,? and |, | or |/|, as well as )(?:the |on )?")  # between listed names
_METRIC = (r"(?:accuracy|accuracies|error(?: rate)?|F1|AUC|AUROC|mAP|AP|mIoU|IoU|BLEU|ROUGE|FID|PSNR|SSIM|NDCG@\d+|"
           r"recall|precision|perplexity|PPL|speedup)")
_NUMBER = re.compile(r"[+]?\d+(?:\.\d+)?\s?(?:\\?%|x\b|×|times\b|-?fold\b|points?\b|pp\b|pts\b|dB\b)"
                     rf"|\b{_METRIC}\s(?:of |= |: |is |at |reaches )?[+]?\d+(?:\.\d+)?"
                     rf"|[+]?\d+(?:\.\d+)?\s(?:[\w-]+\s)?{_METRIC}\b")
_RESULT = re.compile(r"\b(?:outperform\w*|achiev\w*|improv\w*|surpass\w*|state-of-the-art|SOTA|reduc\w*|obtain\w*|"
                     r"boost\w*|gains?|faster|speedups?|exceed\w*|beat\w*|better|superior|higher|lower|increase)\b")
_STRONG = re.compile(r"state-of-the-art|SOTA|outperform|surpass|achiev|improv")
_BEATS = re.compile(r"outperform|surpass|superior to|achiev\w* (?:new |a )?(?:state-of-the-art|SOTA)|"
                    r"improves? (?:the )?state-of-the-art|\bbeats?\b")
_OWN = re.compile(r"\b(?:[Ww]e|[Oo]ur|proposed|[Tt]his (?:paper|work|method|approach)|[Ee]xperiment\w*|[Rr]esults? show"
                  r"|[Ee]mpirical\w*|[Ee]valuations?)\b")
_BOUNDARY = re.compile(r"[;:]\s|,\s(?=(?:which|where|while|whereas|but|thus|yet|we|and (?:we|our|it|the)|achieving|"
                       r"allowing|enabling|leading|making|resulting|yielding|demonstrating|showing|outperforming|"
                       r"and then)\b)|\s[–—]\s|\s-\s|\s(?:and|then) (?:we )?(?:propose|present|introduce|show|find|"
                       r"demonstrate|observe|discuss|establish|compare|validate|evaluate|point)\w*\b")
_TASK_STOP = re.compile(_BOUNDARY.pattern + r"|,\s|\s(?:using|via|based on|by|through|with|that|which|in order to)\s")


def _word(name: str, text: str, flags: int = 0) -> re.Match | None:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, flags)


def _open(text: str, start: int, pos: int) -> int:
    """Brackets opened in text[start:pos] and not closed there (negative: more closed than opened)."""
    return sum(text.count(o, start, pos) - text.count(c, start, pos) for o, c in ("()", "[]"))


def _trim(text: str, start: int, end: int) -> Cell:
    """The span without edge spaces and punctuation or an unmatched closing bracket (EMPTY when too short)."""
    while start < end and text[start] in " ,;:.\"'":
        start += 1
    while end > start and (text[end - 1] in " ,;:.\"'(" or text[end - 1] == ")" and _open(text, start, end) < 0):
        end -= 1
    return Cell(text[start:end], start, end) if end - start >= 3 else EMPTY


def _cap(text: str, start: int, end: int) -> int:
    """An end at most CAP after ``start``: at a comma past half the cap, else a space, outside brackets if it can."""
    if end - start <= CAP:
        return end
    for gap, least in ((r",\s", CAP // 2), (r"\s", 0)):
        cuts = [m.start() for m in re.finditer(gap, text[start:start + CAP])
                if m.start() > least and _open(text, start, start + m.start()) <= 0]
        if cuts:
            return start + cuts[-1]
    return text.rfind(" ", start, start + CAP)


def _clause(text: str, start: int, limit: int, stop: re.Pattern = _BOUNDARY) -> Cell:
    """From ``start`` to the first clause boundary outside brackets (before ``limit``), capped at CAP."""
    end = next((m.start() for m in stop.finditer(text, start, limit)
                if m.start() > start and _open(text, start, m.start()) <= 0), limit)
    return _trim(text, start, _cap(text, start, end))


def _first_cue(text: str, sentences: list[Sentence], cue: re.Pattern, keep=lambda span: True) -> Cell:
    clauses = (_clause(text, m.end(), s.end) for s in sentences for m in cue.finditer(text, s.start, s.end))
    return next((c for c in clauses if c is not EMPTY and keep(c.text)), EMPTY)


def _title_task(text: str, title: str) -> Cell:
    """The title's task phrase (after "for", or after the colon) where the abstract uses it, case-insensitively;
    leading words are dropped until it does, down to two words ending in -tion/-sion/-sis/-ing."""
    head, _, tail = title.rpartition(":")
    parts = re.split(r"\s(?:via|with|using|through|by|in|on|under|from|towards?)\s|[,;:?()]", tail, flags=re.I)
    phrases = [re.split(" for ", p, 1, re.I)[-1] for p in parts if re.search(" for ", p, re.I)]
    phrases += [parts[0]] * bool(head)
    for words in (p.split() for p in phrases):
        for wanted in (" ".join(words[i:]) for i in range(len(words) - 1)):
            if _TASK_END.search(wanted) and (m := _word(wanted, text, re.I)):
                return Cell(m.group(), m.start(), m.end())
    return EMPTY


def _method_for(text: str, sentences: list[Sentence]) -> Cell:
    """What the first proposed method is "for" / "to address", inside its own clause, when that names a task."""
    for s in sentences:
        if cue := _METHOD_CUE.search(text, s.start, s.end):
            method = _clause(text, cue.end(), s.end)
            if method.end and (m := _FOR_CUE.search(text, cue.end(), method.end)):
                cell = _clause(text, m.end(), s.end, _TASK_STOP)
                return cell if _TASK_WORD.search(cell.text) else EMPTY
    return EMPTY


def find_task(text: str, sentences: list[Sentence], title: str = "") -> Cell:
    voiced = [s for s in sentences if _VOICE.search(s.text)]
    defining = sentences[:1] if sentences and _DEFINES.match(sentences[0].text) else []
    for find in (lambda: _first_cue(text, sentences, _TASK_CUE), lambda: _first_cue(text, voiced, _PROBLEM_CUE),
                 lambda: _clause(text, defining[0].start, defining[0].end) if defining else EMPTY,
                 lambda: _title_task(text, title), lambda: _method_for(text, sentences)):
        if (cell := find()) is not EMPTY:
            return cell
    return EMPTY


def find_method(text: str, sentences: list[Sentence], title: str = "") -> Cell:
    if (cell := _first_cue(text, sentences, _METHOD_CUE, lambda span: not _NOT_METHOD.search(span))) is not EMPTY:
        return cell
    name = title.split(":")[0].strip() if ":" in title else ""
    m = len(name.split()) in (1, 2, 3) and re.search(r"[A-Z].*[A-Z]|\d", name) and _word(name, text)
    return Cell(name, m.start(), m.end()) if m else EMPTY


def find_datasets(text: str, sentences: list[Sentence], terms: Sequence[str] = ()) -> Cell:
    """The sentence's longest run of data-set names joined only by list words ("A, B and C")."""
    runs: list[list[int]] = []  # [start, end, names]
    for s in sentences:
        spans = {(m.start(), m.end()) for m in _DATASET.finditer(text, s.start, s.end)}
        spans |= {(m.start(1) + a.start(), m.start(1) + a.end()) for m in _NAMELY.finditer(text, s.start, s.end)
                  for a in _ACRONYM.finditer(m.group(1))}
        for n, (start, end) in enumerate(sorted(spans)):
            if n and _LISTED.fullmatch(text, runs[-1][1], start) and end - runs[-1][0] <= CAP:
                runs[-1][1:] = [end, runs[-1][2] + 1]
            else:
                runs.append([start, end, 1])
    if not runs:
        return EMPTY
    start, end, _ = max(runs, key=lambda r: (sum(t.lower() in text[r[0]:r[1]].lower() for t in terms), r[2], -r[0]))
    return Cell(text[start:end], start, end)


def _result_score(sentence: str, index: int, names: list[str], terms: Sequence[str]) -> int:
    """4+ for a number with a unit or metric beside a result word, 1+ for an "outperforms"-like claim without one;
    0 for the first sentence, method statements and claims not about the paper's own work."""
    if index == 0 or not (_OWN.search(sentence) or any(_word(n, sentence) for n in names)):
        return 0
    bonus = 2 * bool(_STRONG.search(sentence)) + sum(t.lower() in sentence.lower() for t in terms)
    if _NUMBER.search(sentence) and (_RESULT.search(sentence) or _BEATS.search(sentence)):
        return 4 + bonus
    return 1 + bonus if _BEATS.search(sentence) and not _METHOD_CUE.search(sentence) else 0


def _result_clause(text: str, s: Sentence) -> Cell:
    """The sentence, or in a long one the clause around its first result number (or claim), within CAP."""
    if s.end - s.start <= CAP:
        return _trim(text, s.start, s.end)
    anchor = _NUMBER.search(text, s.start, s.end) or _BEATS.search(text, s.start, s.end)
    bounds = [m for m in _BOUNDARY.finditer(text, s.start, s.end) if _open(text, s.start, m.start()) <= 0]
    start = max([s.start, *(m.end() for m in bounds if m.end() <= anchor.start())])
    end = min([s.end, *(m.start() for m in bounds if m.start() >= anchor.end())])
    if end - start > CAP:  # a window around the anchor, from a word break
        start = max(start, min(end - CAP, anchor.start() - CAP // 2))
        start = text.find(" ", start, anchor.start()) + 1 or start
        end = max(anchor.end(), _cap(text, start, end))
    return _trim(text, start, end)


def find_result(text: str, sentences: list[Sentence], title: str = "", method: Cell = EMPTY,
                terms: Sequence[str] = ()) -> Cell:
    """The best-scoring result sentence; names of the paper's own work come from the title's head and method."""
    names = re.findall(r"[\w+-]{3,}", title.split(":")[0] + " " + (method.text if method.start is not None else ""))
    names = [w for w in names if sum(c.isupper() or c.isdigit() for c in w) >= 2]  # "OverLoCK", "NCN"
    scored = [(_result_score(s.text, i, names, terms), -i, s) for i, s in enumerate(sentences)]
    score, _, best = max(scored, key=lambda x: x[:2], default=(0, 0, None))
    return _result_clause(text, best) if score else EMPTY


def comparison_table(papers: list[Paper], question: str | None = None) -> list[Row]:
    """One row per paper; ``question`` only breaks ties towards spans naming its specific terms."""
    terms = specific_terms(question) if question else []
    rows = []
    for paper in papers:
        text, sentences = paper.abstract, split_sentences(paper.abstract)
        method = find_method(text, sentences, paper.title)
        cells = {"task": find_task(text, sentences, paper.title), "method": method,
                 "data sets": find_datasets(text, sentences, terms),
                 "headline result": find_result(text, sentences, paper.title, method, terms)}
        rows.append(Row(paper.paper_id, paper.title, cells))
    return rows


def _markdown_cell(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def table_markdown(rows: list[Row]) -> str:
    """A markdown table: the title, then one column per COLUMNS; "|" and "\\" escaped, line breaks folded."""
    lines = ["| paper | " + " | ".join(COLUMNS) + " |", "|" + " --- |" * (len(COLUMNS) + 1)]
    lines += ["| " + " | ".join(map(_markdown_cell, [r.title, *(r.cells[c].text for c in COLUMNS)])) + " |"
              for r in rows]
    return "\n".join(lines) + "\n"


def table_csv(rows: list[Row]) -> str:
    """CSV with a header row: paper_id, title, then COLUMNS."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["paper_id", "title", *COLUMNS]] + [[r.paper_id, r.title, *(r.cells[c].text for c in COLUMNS)]
                                                          for r in rows])
    return out.getvalue()
