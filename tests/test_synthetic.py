from assistant.corpus import load_corpus
from assistant.bench.synthetic import synthetic_papers, write_synthetic
from conftest import CORPUS_FILES


def test_synthetic_corpus_is_deterministic_unique_and_loadable(tmp_path):
    real = load_corpus(CORPUS_FILES).papers
    first = list(synthetic_papers(real, 300, seed=5))
    assert first == list(synthetic_papers(real, 300, seed=5))
    assert first != list(synthetic_papers(real, 300, seed=6))
    path = write_synthetic(real, 300, tmp_path / "s.jsonl", seed=5)
    load = load_corpus([path])
    assert len(load.papers) == 300 and not load.issues
    real_sentences = " ".join(p.abstract for p in real)
    assert load.papers[0].abstract.split(". ")[0] in real_sentences
