"""The comparison table: every cell of every row is a verbatim span of that paper's abstract, or "–"."""

import csv
import io
import re
from dataclasses import replace

import pytest

from assistant.answering.table import CAP, COLUMNS, Cell, Row, comparison_table, table_csv, table_markdown
from assistant.corpus import Paper, load_corpus
from assistant.layout import BUNDLED_CORPUS

NONE = "–"
# the least share of the 210 bundled papers with a cell per column: measured, rounded down to whole percent
# (measured: task 41.0%, method 76.2%, data sets 30.5%, headline result 41.9%)
MIN_COVERAGE = {"task": 0.40, "method": 0.76, "data sets": 0.30, "headline result": 0.41}


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return load_corpus([BUNDLED_CORPUS]).papers


@pytest.fixture(scope="module")
def rows(papers) -> list[Row]:
    return comparison_table(papers)


def paper(title_start: str, **fields) -> Paper:
    return Paper(paper_id="p" + re.sub(r"\W", "", title_start)[:12].lower(), title=title_start, **fields)


def by_title(papers, rows, title_start: str) -> tuple[Paper, Row]:
    [(found, row)] = [(p, r) for p, r in zip(papers, rows) if p.title.startswith(title_start)]
    return found, row


def span_problems(paper: Paper, row: Row) -> list[str]:
    """Why a row's cells are not verbatim spans of the paper's abstract (empty when they all are)."""
    problems = [] if set(row.cells) == set(COLUMNS) else [f"columns {sorted(row.cells)}"]
    for column, cell in row.cells.items():
        where = f"{paper.title[:40]!r} {column}"
        if cell.text == NONE:
            problems += [] if (cell.start, cell.end) == (None, None) else [f"{where}: '–' with offsets"]
        elif cell.start is None or paper.abstract[cell.start:cell.end] != cell.text or cell.text not in paper.abstract:
            problems.append(f"{where}: {cell.text[:60]!r} is not abstract[{cell.start}:{cell.end}]")
        elif not cell.text.strip() or cell.text != cell.text.strip() or len(cell.text) >= 300:
            problems.append(f"{where}: {len(cell.text)} characters, or blank edges")
    return problems


def test_one_row_per_paper_in_order(papers, rows):
    assert len(papers) == 210
    assert [(r.paper_id, r.title) for r in rows] == [(p.paper_id, p.title) for p in papers]


def test_every_cell_of_the_corpus_is_a_verbatim_span_or_a_dash(papers, rows):
    problems = [problem for p, r in zip(papers, rows) for problem in span_problems(p, r)]
    assert not problems, problems[:10]
    assert max(len(r.cells[c].text) for r in rows for c in COLUMNS) <= CAP  # a clause, never a paragraph


def test_the_span_check_catches_forged_cells(papers, rows):
    """span_problems is not vacuous: a reworded cell, shifted offsets, a dash with offsets and a long cell all fail."""
    found, row = by_title(papers, rows, "SimpleNet")
    method = row.cells["method"]
    forged = [Cell(method.text.replace("simple", "simpler"), method.start, method.end),
              Cell(method.text, method.start + 1, method.end + 1), Cell(NONE, 3, 9),
              Cell(found.abstract[:320], 0, 320)]
    for cell in forged:
        assert span_problems(found, replace(row, cells={**row.cells, "method": cell})), cell
    assert not span_problems(found, row)


def test_coverage_per_column_does_not_regress(rows):
    coverage = {c: sum(r.cells[c].text != NONE for r in rows) / len(rows) for c in COLUMNS}
    print("coverage on the bundled corpus: " + ", ".join(f"{c} {share:.1%}" for c, share in coverage.items()))
    low = {c: round(share, 3) for c, share in coverage.items() if share < MIN_COVERAGE[c]}
    assert not low, low


def test_hand_checked_rows(papers, rows):
    """Cells read off the abstracts by hand: SimpleNet, a graph paper, and RotNet (a long result sentence)."""
    _, simplenet = by_title(papers, rows, "SimpleNet: A Simple Network for Image Anomaly Detection")
    assert {c: simplenet.cells[c].text for c in COLUMNS} == {
        "task": "detecting and localizing anomalies",
        "method": "a simple and application-friendly network (called SimpleNet) for detecting and localizing anomalies",
        "data sets": "MVTec AD",
        "headline result": "On the MVTec AD benchmark, SimpleNet achieves an anomaly detection AUROC of 99.6%, "
                           "reducing the error by 55.5% compared to the next best performing model",
    }
    _, graph = by_title(papers, rows, "Local Augmentation for Graph Neural Networks")
    method = graph.cells["method"].text
    assert method.startswith("a simple and efficient data augmentation strategy, local augmentation, to learn")
    assert graph.cells["data sets"].text == "Cora, Citeseer, and Pubmed"
    result = graph.cells["headline result"].text
    assert "improves by an average of 3.4\\% and 1.6\\% in terms of test accuracy" in result
    _, rotnet = by_title(papers, rows, "Unsupervised Representation Learning by Predicting Image Rotations")
    assert rotnet.cells["method"].text == ("to learn image features by training ConvNets to recognize the 2d rotation "
                                           "that is applied to the image that it gets as input")
    assert rotnet.cells["data sets"].text == ("ImageNet classification, PASCAL classification, PASCAL segmentation, "
                                              "and CIFAR-10")
    assert "mAP of 54.4%" in rotnet.cells["headline result"].text
    _, ssd = by_title(papers, rows, "SSD: Single Shot MultiBox Detector")
    assert ssd.cells["data sets"].text == "PASCAL VOC, MS COCO, and ILSVRC"


def test_theory_papers_get_dashes_not_invented_data_sets_or_results(papers, rows):
    for title in ("More is Better in Modern Machine Learning", "A Nearly-Optimal Bound for Fast Regression"):
        _, row = by_title(papers, rows, title)
        assert row.cells["data sets"].text == NONE and row.cells["headline result"].text == NONE, row.cells


def test_cues_on_a_small_abstract():
    abstract = ("Graph neural networks have been shown to outperform kernels by 5% on many tasks. "
                "We introduce a new dataset of citation graphs. "
                "We propose FooNet, a message-passing network for link prediction. "
                "Experiments on Cora and Citeseer show that FooNet outperforms GCN by 3.2 points.")
    [row] = comparison_table([paper("FooNet: Links", abstract=abstract)])
    cells = {c: row.cells[c].text for c in COLUMNS}
    assert cells == {"task": "link prediction", "method": "FooNet, a message-passing network for link prediction",
                     "data sets": "Cora and Citeseer",  # not the first sentence's claim about others, nor the new set
                     "headline result": "Experiments on Cora and Citeseer show that FooNet outperforms GCN by "
                                        "3.2 points"}


def test_nothing_found_gives_dashes():
    [row] = comparison_table([paper("Notes", abstract="Some remarks on style. They are brief.")])
    assert all(cell == Cell(NONE, None, None) for cell in row.cells.values())
    assert comparison_table([]) == []


def test_the_question_breaks_ties_between_data_set_sentences():
    abstract = "We train on MNIST. We also evaluate on QM9, a molecule set."
    [plain] = comparison_table([paper("Two sets", abstract=abstract)])
    [asked] = comparison_table([paper("Two sets", abstract=abstract)], question="Which papers use QM9?")
    assert (plain.cells["data sets"].text, asked.cells["data sets"].text) == ("MNIST", "QM9")


def test_long_result_sentences_are_cut_to_a_verbatim_clause():
    filler = ", ".join(f"a variant number {i}" for i in range(12))
    abstract = f"We study pruning. With {filler}, our method achieves 91.5% accuracy on ImageNet, which is new."
    [row] = comparison_table([paper("Long", abstract=abstract)])
    result = row.cells["headline result"]
    assert "91.5% accuracy" in result.text and len(result.text) <= CAP
    assert abstract[result.start:result.end] == result.text


def split_markdown_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip().replace("\\|", "|").replace("\\\\", "\\") for c in cells]


def test_markdown_escapes_pipes_and_keeps_one_line_per_row(papers, rows):
    _, scalekd = by_title(papers, rows, "ScaleKD")
    assert "|" in scalekd.cells["headline result"].text  # "75.15%|82.03%|..." in the abstract
    lines = table_markdown(rows).splitlines()
    assert split_markdown_row(lines[0]) == ["paper", *COLUMNS] and len(lines) == len(rows) + 2
    for line, row in zip(lines[2:], rows):
        assert split_markdown_row(line) == [row.title, *(row.cells[c].text for c in COLUMNS)]
    piped = Row("p1", "A | B", {c: Cell("x|y\nz", 0, 5) for c in COLUMNS})
    assert table_markdown([piped]).splitlines()[2] == "| A \\| B" + " | x\\|y z" * 4 + " |"


def test_csv_round_trips(rows):
    parsed = list(csv.reader(io.StringIO(table_csv(rows))))
    assert parsed[0] == ["paper_id", "title", *COLUMNS]
    assert parsed[1:] == [[r.paper_id, r.title, *(r.cells[c].text for c in COLUMNS)] for r in rows]
    tricky = Row("p2", 'A "quoted", title', {c: Cell('x, "y"\nz', 0, 7) for c in COLUMNS})
    assert list(csv.reader(io.StringIO(table_csv([tricky]))))[1] == ["p2", 'A "quoted", title', *['x, "y"\nz'] * 4]
