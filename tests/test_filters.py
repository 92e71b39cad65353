"""Date filters read from a question: each phrase kind gives its year range and leaves a tidy
question; years in names and topics, and "recent" in a topic, are no filter."""

from __future__ import annotations

import pytest

from assistant.retrieval.filters import DateFilter, read_date_filter

NEWEST = 2025

# question, cleaned question, years, phrase taken out
FILTERS = [
    # at the end of a request for papers: in/since/the last N years/recently
    ("Which papers study pruning in 2024?", "Which papers study pruning?", (2024, 2024), "in 2024"),
    ("Which papers study pruning since 2023?", "Which papers study pruning?", (2023, 2025), "since 2023"),
    ("Which papers study pruning in the last two years?", "Which papers study pruning?", (2024, 2025),
     "in the last two years"),
    ("Which papers study diffusion models recently?", "Which papers study diffusion models?", (2024, 2025), "recently"),
    # open-ended from
    ("Which papers since 2024 study pruning?", "Which papers study pruning?", (2024, 2025), "since 2024"),
    ("Which papers from 2023 onwards study pruning?", "Which papers study pruning?", (2023, 2025), "from 2023 onwards"),
    ("Which papers from 2023 on?", "Which papers?", (2023, 2025), "from 2023 on"),
    ("Which papers after 2022 study pruning?", "Which papers study pruning?", (2023, 2025), "after 2022"),
    ("Which papers published after 2022 study pruning?", "Which papers study pruning?", (2023, 2025),
     "published after 2022"),
    # one year
    ("Which papers in 2024 study pruning?", "Which papers study pruning?", (2024, 2024), "in 2024"),
    ("Which papers from 2024 study pruning?", "Which papers study pruning?", (2024, 2024), "from 2024"),
    ("Which papers published in 2024 study pruning?", "Which papers study pruning?", (2024, 2024),
     "published in 2024"),
    ("Which papers that were published in 2019 use BERT?", "Which papers use BERT?", (2019, 2019),
     "that were published in 2019"),
    ("Which papers on pruning were published in 2021?", "Which papers on pruning were published?", (2021, 2021),
     "in 2021"),
    # open-ended to
    ("Which papers before 2020 study pruning?", "Which papers study pruning?", (1900, 2019), "before 2020"),
    ("Which papers until 2020 study pruning?", "Which papers study pruning?", (1900, 2020), "until 2020"),
    ("Which papers up to 2020 study pruning?", "Which papers study pruning?", (1900, 2020), "up to 2020"),
    # ranges, and a reversed one
    ("Which papers between 2021 and 2023 study pruning?", "Which papers study pruning?", (2021, 2023),
     "between 2021 and 2023"),
    ("Which papers from 2021 to 2023 study pruning?", "Which papers study pruning?", (2021, 2023),
     "from 2021 to 2023"),
    ("Which papers in 2021-2023 study pruning?", "Which papers study pruning?", (2021, 2023), "in 2021-2023"),
    ("Which papers from 2023 to 2021 study pruning?", "Which papers study pruning?", (2021, 2023),
     "from 2023 to 2021"),
    ("Which papers between 2023 and 2019 study pruning?", "Which papers study pruning?", (2019, 2023),
     "between 2023 and 2019"),
    # recent: the last two years
    ("Which recent papers study pruning?", "Which papers study pruning?", (2024, 2025), "recent"),
    ("What are the latest papers on pruning?", "What are the papers on pruning?", (2024, 2025), "latest"),
    ("Are there any new papers on pruning?", "Are there any papers on pruning?", (2024, 2025), "new"),
    ("Recent works on pruning?", "Works on pruning?", (2024, 2025), "Recent"),
    ("What are the most recent papers on pruning?", "What are the papers on pruning?", (2024, 2025), "most recent"),
    ("Which recently published papers study pruning?", "Which papers study pruning?", (2024, 2025),
     "recently published"),
    ("Which papers published recently study pruning?", "Which papers study pruning?", (2024, 2025),
     "published recently"),
    ("Which papers recently studied pruning?", "Which papers studied pruning?", (2024, 2025), "recently"),
    ("Which papers in recent years study pruning?", "Which papers study pruning?", (2024, 2025), "in recent years"),
    # counted back from the newest year
    ("Which papers from the last two years study pruning?", "Which papers study pruning?", (2024, 2025),
     "from the last two years"),
    ("Which papers in the past 3 years study pruning?", "Which papers study pruning?", (2023, 2025),
     "in the past 3 years"),
    ("Which papers over the last ten years study pruning?", "Which papers study pruning?", (2016, 2025),
     "over the last ten years"),
    ("Which papers from the last year study pruning?", "Which papers study pruning?", (2025, 2025),
     "from the last year"),
    ("Which papers in the past year study pruning?", "Which papers study pruning?", (2025, 2025),
     "in the past year"),
    ("Which papers this year study pruning?", "Which papers study pruning?", (2025, 2025), "this year"),
    ("Which papers published this year study pruning?", "Which papers study pruning?", (2025, 2025),
     "published this year"),
    # case, and tidying commas and spaces
    ("which PAPERS Since 2024 study pruning?", "which PAPERS study pruning?", (2024, 2025), "Since 2024"),
    ("Which Papers Published In 2024 study pruning?", "Which Papers study pruning?", (2024, 2024),
     "Published In 2024"),
    ("Which papers, published since 2023, study pruning?", "Which papers study pruning?", (2023, 2025),
     "published since 2023"),
    ("Which papers study pruning, published before 2015?", "Which papers study pruning?", (1900, 2014),
     "published before 2015"),
    ("Which papers in 2024, study pruning?", "Which papers study pruning?", (2024, 2024), "in 2024"),
    ("Which papers from 2023 on pruning exist?", "Which papers on pruning exist?", (2023, 2023), "from 2023"),
    ("Which  papers   since 2024  study pruning ?", "Which papers study pruning?", (2024, 2025), "since 2024"),
    ("Which papers since 2024?", "Which papers?", (2024, 2025), "since 2024"),
]


@pytest.mark.parametrize(("question", "cleaned", "years", "phrase"), FILTERS)
def test_each_phrase_gives_its_years_and_a_tidy_question(question, cleaned, years, phrase):
    assert read_date_filter(question, NEWEST) == (cleaned, DateFilter(years, phrase))


NOT_FILTERS = [
    # a year that is part of a name
    "Which papers report results on the 2024 benchmark?",
    "Which papers use ImageNet-2012?",
    "Which papers evaluate on COCO 2017?",
    "Which papers evaluate on the WMT 2014 English-German task?",
    "Which papers from CVPR 2023 study pruning?",
    "Which papers in 2017 COCO detection improve recall?",
    "Which papers from 2020 benchmark suites study robustness?",
    # a year or a span in the topic, not dating the papers
    "How did inflation change after 2008?",
    "Which papers study inflation after 2008?",
    "Which papers use data from 2019?",
    "Which papers study what happened in the last two years of the war?",
    "Which papers study pruning before 2020?",  # at the end: before/after/from read as topic
    # years joined to others, or out of range: not read as one span
    "Which papers from 2021 and 2022 study pruning?",
    "Which papers in 2021 to 2022-ish study pruning?",
    "Which papers since 1850 study steam engines?",
    "Which papers before 1900 study steam engines?",
    # "recent" and "new" in the topic
    "Which papers survey recent advances in diffusion?",
    "What do recent studies suggest about sleep and memory?",
    "Which papers build on recent work in reinforcement learning?",
    "Which papers propose new papers-with-code style benchmarks?",
    "Which papers study newer architectures?",
    "Which papers report the last year of a clinical trial?",
]


@pytest.mark.parametrize("question", NOT_FILTERS)
def test_years_in_names_and_topics_are_no_filter(question):
    assert read_date_filter(question, NEWEST) == (question, None)


@pytest.mark.parametrize("question", [
    "Which recent papers study pruning?",
    "Which papers from the last two years study pruning?",
    "Which papers in the past year study pruning?",
    "Which papers this year study pruning?",
    "Which papers published recently study pruning?",
])
def test_relative_phrases_without_dates_are_no_filter(question):
    assert read_date_filter(question, None) == (question, None)


@pytest.mark.parametrize(("question", "years"), [
    ("Which papers in 2024 study pruning?", (2024, 2024)),
    ("Which papers before 2020 study pruning?", (1900, 2019)),
    ("Which papers between 2021 and 2023 study pruning?", (2021, 2023)),
    ("Which papers since 2023 study pruning?", (2023, 2023)),  # open end: the start year itself
])
def test_absolute_phrases_work_without_dates(question, years):
    cleaned, found = read_date_filter(question, None)
    assert cleaned == "Which papers study pruning?" and found is not None and found.years == years


def test_relative_phrases_count_back_from_the_newest_year():
    assert read_date_filter("Which recent papers study pruning?", 2019)[1].years == (2018, 2019)
    assert read_date_filter("Which papers in the last five years study pruning?", 2019)[1].years == (2015, 2019)


def test_since_reaches_past_an_older_newest_year():
    assert read_date_filter("Which papers since 2024 study pruning?", 2022)[1].years == (2024, 2024)


def test_only_the_first_phrase_that_counts_is_read():
    cleaned, found = read_date_filter("Which papers on COCO 2017 published since 2020 study pruning?", NEWEST)
    assert cleaned == "Which papers on COCO 2017 study pruning?" and found.years == (2020, 2025)
