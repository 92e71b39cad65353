"""Which retrieved papers answer the question: a learned, calibrated choice.

For each of the question's candidates (hybrid retrieval's top papers) the selector
measures the signals in features.py, scores the paper with the logistic model fitted on
the eval set's dev split (``data/models/selector.json``, written by scripts/calibrate.py)
and cites the papers whose probability reaches the model's cut. List questions cite every
such paper; other questions the best few. Each candidate's probability is its
``confidence``. The evidence quote is the abstract sentence the cross-encoder scores
highest for the question (with the reranker off: the closest by embedding); a fact
question's quote is then chosen by what it asks (quotes.py).

Without a model file, or with ``selector="thresholds"``, the hand-set gate of
relevance.py decides (it needs no reranker and suits any embedder).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np

from .features import (
    ALL_FEATURES, BASE_FEATURES, JUDGE_FEATURES, RawSignals, asked_attribute, asks_for_number, feature_rows, has_number, missing_terms,
    similarity, specific_terms, weighted_share,
)
from ..text.asks import stated_papers
from .relevance import Candidate, RelevanceThresholds
from .evidence import content_terms

if TYPE_CHECKING:
    from ..config import Settings
    from .logistic import SelectorFile
    from .query import ParsedQuestion
    from .answer_judge import AnswerJudge
    from .rerankers import Reranker
    from .retrieve import PaperHit
    from .evidence import EvidenceFinder, SentenceMatch

# What the cross-encoder reads, kept small for speed (whole abstracts cost ~5x more): per
# candidate, a passage of its title and its two best sentences by embedding, and its three
# best sentences one by one
PASSAGE_SENTENCES = 2
SENTENCES_RERANKED = 3


class Selector(Protocol):
    """Chooses, of a question's retrieved papers, the ones that answer it."""

    def select(self, question: "ParsedQuestion", hits: list["PaperHit"]) -> list[Candidate]: ...


def model_key(is_list: bool, reranked: bool) -> str:
    return ("list" if is_list else "other") + ("" if reranked else "-no-reranker")


class LearnedSelector:
    def __init__(
        self, evidence: "EvidenceFinder", reranker: "Reranker | None", model: "SelectorFile | None",
        idf: Callable[[str], float] | None = None, judge: "AnswerJudge | None" = None,
    ):
        self.evidence = evidence
        self.reranker = reranker
        self.judge = judge  # the answer judge: a signal only with the reranker's features
        self.model = model
        self.idf = idf or (lambda term: 1.0)

    def measure(self, question: "ParsedQuestion", hits: list["PaperHit"]) -> tuple[list[dict], list["SentenceMatch"]]:
        """Feature rows and the best evidence sentence of every hit (in the hits' order)."""
        embedder = self.evidence.embedder
        topic_vector = np.asarray(embedder.embed_query(question.topic), dtype=np.float32)
        same = question.topic == question.text
        text_vector = topic_vector if same else np.asarray(embedder.embed_query(question.text), dtype=np.float32)
        terms = specific_terms(question.text)
        wants_number = asks_for_number(question.text)
        ce_query = question.topic if question.is_list else question.text
        ranked_sentences, signals, passages = [], [], []
        sentence_pairs: list[tuple[int, "SentenceMatch"]] = []
        for i, hit in enumerate(hits):
            topical = self.evidence.rank(question.topic, hit.paper, topic_vector)
            asked = topical if same else self.evidence.rank(question.text, hit.paper, text_vector)
            ranked_sentences.append(asked)
            sentence_pairs.extend((i, m) for m in asked[:SENTENCES_RERANKED])
            best_two = sorted(asked[:PASSAGE_SENTENCES], key=lambda m: m.sentence.start)
            passages.append(f"{hit.paper.title}. " + " ".join(m.sentence.text for m in best_two))
            signals.append(RawSignals(
                ce_passage=None, ce_sentence=None,
                sentence_similarity=max(m.similarity for m in topical),
                chunk_similarity=hit.dense_similarity or 0.0,
                coverage=self.evidence.coverage(question.topic, hit.paper, self.idf),
                rrf_rank=hit.rank, dense_rank=hit.dense_rank, bm25_rank=hit.bm25_rank,
                missing_specifics=len(missing_terms(terms, f"{hit.paper.title} {hit.paper.abstract}")),
                number_missing=False,
            ))
        passage_ce = self._ce(ce_query, passages)
        sentence_ce = self._ce(ce_query, [m.sentence.text for _, m in sentence_pairs])
        if self.judge is not None and sentence_ce is not None:
            answers = self.judge.answers(question.text, [m.sentence.text for _, m in sentence_pairs])
            for (i, _), p in zip(sentence_pairs, answers):
                signals[i].judge_answers = max(signals[i].judge_answers or 0.0, float(p))
        evidence: list["SentenceMatch"] = [asked[0] for asked in ranked_sentences]
        if sentence_ce is not None:
            best: dict[int, tuple[float, "SentenceMatch"]] = {}
            for (i, match), score in zip(sentence_pairs, sentence_ce):
                if i not in best or score > best[i][0]:
                    best[i] = (score, match)
            for i, s in enumerate(signals):
                s.ce_passage, s.ce_sentence = passage_ce[i], best[i][0]
                evidence[i] = best[i][1]
        asked_terms = content_terms(question.text)
        attribute = None if question.is_list else asked_attribute(question.text)
        attribute_terms = content_terms(attribute) if attribute else set()
        for i, s in enumerate(signals):
            top_texts = [m.sentence.text for m in ranked_sentences[i][:SENTENCES_RERANKED]]
            s.number_missing = wants_number and not any(has_number(t) for t in top_texts + [evidence[i].sentence.text])
            near = {evidence[i].sentence.text, *(m.sentence.text for m in ranked_sentences[i][:PASSAGE_SENTENCES])}
            near_terms = content_terms(" ".join(near))
            s.evidence_coverage = weighted_share(asked_terms, near_terms, self.idf)
            if attribute_terms:
                s.attribute_coverage = weighted_share(attribute_terms, near_terms, self.idf)
        return feature_rows(signals), evidence

    def _ce(self, query: str, passages: list[str]) -> list[float] | None:
        if self.reranker is None or not passages:
            return None
        return [float(x) for x in self.reranker.score(query, passages)]

    def select(self, question: "ParsedQuestion", hits: list["PaperHit"]) -> list[Candidate]:
        """Every hit with its evidence, confidence and verdict, most likely first."""
        if not hits:
            return []
        rows, evidence = self.measure(question, hits)
        reranked = "ce_passage" in rows[0]
        key = model_key(question.is_list, reranked)
        model = self.model.model(self.model.meta.get("use", {}).get(key, key) if reranked else key)
        names = (ALL_FEATURES + JUDGE_FEATURES) if reranked else BASE_FEATURES
        if model.features != [n for n in names if n in model.features]:
            raise ValueError(f"the selector model's features {model.features} do not match this version's")
        if any(n not in rows[0] for n in model.features):  # fitted with the answer judge, which is off
            model = self.model.model(model_key(question.is_list, False))
        probabilities = model.probabilities(np.array([[row[n] for n in model.features] for row in rows]))
        candidates = [
            Candidate(hit, ev, float(p), False, confidence=float(p), features=row)
            for hit, ev, p, row in zip(hits, evidence, probabilities, rows)
        ]
        candidates.sort(key=lambda c: -c.confidence)
        # "Two papers ...": once the best passes the cut, the next ones need only the related cut
        stated = None if question.is_list else stated_papers(question.text)
        limit = None if question.is_list else stated or int(model.extra.get("max_papers", 3))
        floor = float(model.extra.get("similarity_floor", 0.0))  # no paper this far from the question is cited
        later_cut = min(model.cut, float(self.model.meta.get("related_cut") or model.cut)) if stated else model.cut
        kept = 0
        for candidate in candidates:
            cut = model.cut if not kept else later_cut
            if similarity(candidate.features) >= floor and candidate.confidence >= cut and (limit is None or kept < limit):
                candidate.relevant = True
                kept += 1
        return candidates


def make_selector(
    settings: "Settings", evidence: "EvidenceFinder", reranker: "Callable[[], Reranker | None]",
    idf: Callable[[str], float], embedder_name: str, notify: Callable[[str], None],
    judge: "Callable[[], AnswerJudge | None]" = lambda: None,
) -> tuple[Selector, float | None]:
    """The selector that settings ask for, and the cut for naming related papers: the
    learned one when its model file is there, else the hand-set gate (with a notice)."""
    from .logistic import SelectorFile

    gate = RelevanceThresholds.bundled(settings.selection.calibration_file)
    if settings.selection.selector == "thresholds":
        return ThresholdSelector(evidence, gate, idf=idf), None
    path = settings.selection.selector_model
    if not path.exists():
        notify(f"No selector model at {path} (run scripts/calibrate.py); using the hand-set relevance gate.")
        return ThresholdSelector(evidence, gate, idf=idf), None
    model = SelectorFile.load(path)
    fitted_with = model.meta.get("embedder")
    if fitted_with and fitted_with != embedder_name:
        notify(f"The selector was fitted with the {fitted_with} embedder, not {embedder_name}: "
               "its confidences are approximate.")
    return LearnedSelector(evidence, reranker(), model, idf, judge()), model.meta.get("related_cut")


class ThresholdSelector:
    """The hand-set gate of relevance.py behind the selector interface."""

    def __init__(self, evidence: "EvidenceFinder", thresholds: "RelevanceThresholds | None" = None,
                 idf: Callable[[str], float] | None = None):
        self.evidence = evidence
        self.thresholds = thresholds
        self.idf = idf

    def select(self, question: "ParsedQuestion", hits: list["PaperHit"]) -> list[Candidate]:
        from .relevance import assess

        return assess(question, hits, self.evidence, self.thresholds, self.idf)
