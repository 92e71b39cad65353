"""The chat page as a researcher uses it, for real: `python app.py` in its own process (its
terminal output read at the end), headless Chromium at desktop and phone widths.

Each block names the finding of the page review (issue 23) it checks: follow-ups keep what
was asked, every shown sentence is true of what was searched, nothing is left over from the
last answer, and user errors are said inline, never as tracebacks."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_index, free_port
from test_web import _chromium

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
SHORTCUT = "On the Foundations of Shortcut Learning"  # 2023
SHORTCUT_2024 = "Understanding Visual Feature Reliance through the Lens of Complexity"
NEW_PAPER = "Shortcut Learning in Named Toy Benchmarks"
NEW_ABSTRACT = ("We study shortcut learning in deep networks: models trained on toy benchmarks rely on spurious "
                "background cues instead of object shape. We measure shortcut reliance on 12 datasets.")


@pytest.fixture(scope="module")
def served_page(real_assistant, tmp_path_factory):
    """`python app.py` on a copy of the real index; yields (url, its stderr file)."""
    import httpx

    data = tmp_path_factory.mktemp("chat-page") / "data"
    copy_index(real_assistant.settings.storage.data_dir, data)
    port = free_port()
    stderr = tmp_path_factory.mktemp("chat-page-log") / "stderr.txt"
    env = {**os.environ, "PAPER_ASSISTANT_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    env.pop("PAPER_ASSISTANT_LOG", None)
    with open(stderr, "w") as err:
        server = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--llm", "extractive"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None, stderr.read_text()
        time.sleep(0.5)
    yield url, stderr
    server.terminate()
    server.wait(timeout=30)


async def _browser(p):
    return await p.chromium.launch(executable_path=_chromium(), headless=True,
                                   args=["--no-sandbox", "--disable-gpu", "--no-first-run"])


async def _ask(page, question: str, expect, wait_for: str = "#sources .paper, #sources p"):
    await page.locator("#question textarea").fill(question)
    await page.locator("#ask-button").click()
    await expect(page.locator("#question textarea")).to_have_value("", timeout=30_000)
    await expect(page.locator("#searched-for")).to_contain_text("searched for", timeout=120_000)


async def _answer_done(page, expect):
    """Waits until the last answer is complete (its sources panel is filled in)."""
    await expect(page.locator("#sources")).not_to_contain_text("Sources of the answer appear here", timeout=120_000)


def _run(url: str, check, width: int = 1400, height: int = 1000) -> None:
    """Runs ``check(page, expect)`` on a fresh page of the served chat (its models loaded)."""
    from playwright.async_api import async_playwright, expect

    async def go():
        async with async_playwright() as p:
            browser = await _browser(p)
            page = await browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
            await page.goto(url, wait_until="domcontentloaded")
            await expect(page.locator("#status")).to_contain_text("models loaded", timeout=180_000)
            try:
                await check(page, expect)
            finally:
                await browser.close()

    asyncio.run(go())


def _errors(page):
    return page.locator(".toast-body, .error")  # gradio's red Error toasts and pills


def _year_box(page, which: str):
    return page.locator(f"#year-{which} textarea, #year-{which} input").first


def test_year_boxes_start_empty_and_sources_have_human_names(served_page):
    """Findings 8 (empty year boxes showed "0") and 10 (sources listed by hash file names)."""

    async def check(page, expect):
        await page.get_by_text("Settings and corpus").click()
        assert await _year_box(page, "from").input_value() == ""
        assert await _year_box(page, "to").input_value() == ""
        only = page.locator("#only-sources")
        await expect(only).to_contain_text("listing 000 (")
        await expect(only).to_contain_text(" papers, ")
        await expect(only).not_to_contain_text("44a08bda")

    _run(served_page[0], check)


def test_user_errors_are_inline_messages(served_page):
    """Findings 8 and 9: an empty question, reversed years and a second save of one question
    are said in the page's own words, never as red Error pills."""

    async def check(page, expect):
        searched = page.locator("#searched-for")
        await page.locator("#ask-button").click()
        await expect(searched).to_contain_text("Type a question first.")
        await page.get_by_text("Settings and corpus").click()
        await _year_box(page, "from").fill("2025")
        await _year_box(page, "to").fill("2020")
        await page.locator("#question textarea").fill("Which papers study pruning?")
        await page.locator("#ask-button").click()
        await expect(searched).to_contain_text("reversed")
        await _year_box(page, "from").fill("")
        await _year_box(page, "to").fill("")
        await _ask(page, "Which papers study gradient flow in deep networks?", expect)
        await _answer_done(page, expect)
        await page.get_by_role("tab", name="Saved questions").click()
        await page.locator("#watch-save").click()
        await expect(page.locator("#watches")).to_contain_text("Saved #")
        await page.locator("#watch-save").click()
        await expect(page.locator("#watches")).to_contain_text("already saved")
        await page.wait_for_timeout(500)
        assert await _errors(page).count() == 0

    _run(served_page[0], check)


def test_a_follow_up_keeps_its_year_and_searches_the_last_answers_papers(served_page):
    """Findings 1 and 2 (the year dropped, the 2023 paper listed again, a pasted heading),
    7 (typing during a stream erased) and 12 (retrieved papers without confidence)."""

    async def check(page, expect):
        chat, searched, sources = page.locator("#chat"), page.locator("#searched-for"), page.locator("#sources")
        await _ask(page, "Which papers study shortcut learning?", expect)
        follow_up = "which of them were published in 2024?"
        await page.locator("#question textarea").fill(follow_up)  # typed while the answer streams
        await _answer_done(page, expect)
        await expect(sources).to_contain_text(SHORTCUT)
        await expect(page.locator("#question textarea")).to_have_value(follow_up)
        await expect(sources.locator("h4", has_text="Retrieved, not cited")).to_be_visible()
        confidences = [float(c) for c in re.findall(r"confidence (\d\.\d\d)\)", await sources.locator(
            "h4:has-text('Retrieved, not cited') + ul").inner_text())]
        assert confidences and confidences == sorted(confidences, reverse=True)
        await page.locator("#ask-button").click()
        await expect(searched).to_contain_text("from 2024", timeout=120_000)
        await expect(searched).to_contain_text("among the 2 papers of the last answer")
        await expect(sources).to_contain_text(SHORTCUT_2024, timeout=120_000)
        await expect(sources.locator(".paper", has_text=SHORTCUT)).to_have_count(0)
        last_answer = chat.locator(".bot-row").last
        await expect(last_answer).to_contain_text("Papers on shortcut learning (1 found from 2024")
        await expect(last_answer).not_to_contain_text("were published")
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        await page.screenshot(path=str(ROOT / "test-artifacts" / "chat-desktop.png"), full_page=True)

    _run(served_page[0], check)


def test_the_date_chips_cross_asks_again_in_place(served_page):
    """Finding 2: the ✕ gave "... were published in 2024:" over a 2023 paper and posted the question again."""

    async def check(page, expect):
        chat = page.locator("#chat")
        await _ask(page, "Which papers on shortcut learning were published in 2024?", expect)
        chip = page.locator("#date-chip")
        await expect(chip).to_contain_text("2024", timeout=120_000)
        await expect(chat.locator(".bot-row").last).to_contain_text("Papers on shortcut learning (1 found from 2024")
        await chip.click()
        await expect(chip).to_be_hidden(timeout=120_000)
        await expect(chat.locator(".bot-row").last).to_contain_text("found in the corpus", timeout=120_000)
        await expect(chat.locator(".bot-row").last).not_to_contain_text("2024")
        assert await chat.locator(".user-row").count() == 1

    _run(served_page[0], check)


def test_a_no_within_one_source_names_what_was_searched(served_page):
    """Finding 5: with one source ticked the page said "The corpus has no paper on pruning"."""

    async def check(page, expect):
        await page.get_by_text("Settings and corpus").click()
        await page.locator("#only-sources input[type=checkbox]").first.check()
        await _ask(page, "Which papers study protein structure prediction?", expect)
        last = page.locator("#chat .bot-row").last
        await expect(last).to_contain_text("were found among the", timeout=120_000)
        await expect(last).to_contain_text("papers searched")
        await expect(last).not_to_contain_text("corpus has no")

    _run(served_page[0], check)


def test_an_upload_is_listed_at_once_and_named_by_saved_questions(served_page, tmp_path):
    """Findings 10 (an upload listed only after a reload, errors with server paths), 11 (saved
    questions changed silently) and 14 (no authors, no arXiv link)."""

    async def check(page, expect):
        await _ask(page, "Which papers study shortcut learning?", expect)
        await _answer_done(page, expect)
        await page.get_by_role("tab", name="Saved questions").click()
        await page.locator("#watch-save").click()
        await expect(page.locator("#watches")).to_contain_text("Saved #")
        await page.locator("#watch-check").click()  # "Check now" says what it found
        await expect(page.locator("#watches")).to_contain_text("Checked ")
        await expect(page.locator("#watches")).to_contain_text("No change for 'Which papers study shortcut learning?'")
        named = tmp_path / "named.jsonl"
        named.write_text(json.dumps({"title": NEW_PAPER, "abstract": NEW_ABSTRACT, "arxiv_id": "2401.00001",
                                     "authors": ["Ada Lovelace", "Jane van Doe"], "date": "2024-01-05"}) + "\n")
        await page.get_by_text("Settings and corpus").click()
        await page.locator("input[type=file]").set_input_files(str(named))
        await expect(page.get_by_text("new papers from named.jsonl")).to_be_visible(timeout=120_000)
        await expect(page.locator("#only-sources")).to_contain_text("named.jsonl (1 paper, 2024)")
        await expect(page.locator("#watches")).to_contain_text(f"now answer 'Which papers study shortcut learning?': "
                                                               f"{NEW_PAPER}")
        await page.get_by_role("tab", name="Sources").click()
        await _ask(page, "Which papers study shortcut learning on toy benchmarks with spurious background cues?", expect)
        card = page.locator("#sources .paper", has_text=NEW_PAPER)
        await expect(card).to_contain_text("Ada Lovelace, Jane van Doe", timeout=120_000)
        await expect(card.locator("a.paper-link", has_text="arXiv")).to_have_attribute(
            "href", "https://arxiv.org/abs/2401.00001")
        await page.get_by_role("tab", name="Export").click()
        async with page.expect_download() as event:
            await page.locator("#download-bibtex").click()
        bib = (await (await event.value).path()).read_text()
        assert "author = {{Ada Lovelace} and {Jane van Doe}}" in bib
        broken = tmp_path / "broken.jsonl"
        broken.write_text("{not json\n")
        await page.locator("input[type=file]").set_input_files(str(broken))
        await expect(page.get_by_text("Nothing was added from broken.jsonl")).to_be_visible(timeout=60_000)
        assert str(tmp_path) not in await page.locator("body").inner_text() and "/tmp" not in await page.locator(
            "body").inner_text()

    _run(served_page[0], check)


def test_similar_papers_open_in_the_page(served_page):
    """Finding 13: the link opened a new tab without the chat; shared terms held URL parts."""

    async def check(page, expect):
        await _ask(page, "Which papers study pruning?", expect)
        await _answer_done(page, expect)
        before = page.url
        await page.locator("#sources a.similar").first.click()
        await expect(page.locator("#similar-list li")).to_have_count(10, timeout=120_000)
        await expect(page.locator("#similar")).not_to_contain_text("https")
        assert page.url == before and len(page.context.pages) == 1
        assert await page.locator("#chat .user-row").count() == 1

    _run(served_page[0], check)


def test_new_chat_leaves_nothing_of_the_last_answer(served_page):
    """Finding 6: "New chat" kept the date chip, the table and the export files, and the
    saved-question draft."""

    async def check(page, expect):
        await _ask(page, "Which papers since 2024 study pruning?", expect)
        await _answer_done(page, expect)
        await expect(page.locator("#date-chip")).to_be_visible()
        await page.get_by_role("button", name="New chat").click()
        await expect(page.locator("#chat .user-row")).to_have_count(0)
        await expect(page.locator("#date-chip")).to_be_hidden()
        await expect(page.locator("#sources")).to_contain_text("Sources of the answer appear here")
        await page.get_by_role("tab", name="Table").click()
        await expect(page.locator("#table")).to_contain_text("appear here as a table")
        await page.get_by_role("tab", name="Saved questions").click()
        await page.locator("#watch-save").click()
        await expect(page.locator("#watches")).to_contain_text("Ask a question first")
        await _ask(page, "which of them study sparsity?", expect)  # no follow-up of the cleared chat
        await _answer_done(page, expect)
        await expect(page.locator("#searched-for")).not_to_contain_text("last answer")
        await expect(page.locator("#searched-for")).not_to_contain_text("2024")

    _run(served_page[0], check)


def test_the_chat_page_at_phone_width(served_page):
    url, _ = served_page
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    asyncio.run(_phone(url))
    if os.environ.get("PAPER_ASSISTANT_UPDATE_DOCS_SCREENSHOT"):
        for name in ("chat-desktop.png", "chat-phone.png", "chat-phone-table.png"):
            if (ROOT / "test-artifacts" / name).exists():
                shutil.copyfile(ROOT / "test-artifacts" / name, ROOT / "docs" / name)


async def _phone(url: str) -> None:
    """Finding 15: at 390 px the answer's start is in view, the table scrolls sideways, every tab opens."""
    from playwright.async_api import async_playwright, expect

    shots = ROOT / "test-artifacts"
    async with async_playwright() as p:
        browser = await _browser(p)
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.goto(url, wait_until="domcontentloaded")
        await expect(page.locator("#status")).to_contain_text("models loaded", timeout=180_000)
        await _ask(page, "Which papers study pruning?", expect)
        await _answer_done(page, expect)
        answer = page.locator("#chat .bot-row").last
        await expect(answer).to_contain_text("Papers on pruning")
        await page.wait_for_timeout(800)  # the scroll to the answer's start runs after it is complete
        box, frame = await answer.bounding_box(), await page.locator("#chat").bounding_box()
        assert box["height"] > frame["height"]  # a long answer: its start must be what is shown
        assert frame["y"] - 1 <= box["y"] <= frame["y"] + 80 and 0 <= box["y"] < 844, (box, frame)
        await page.screenshot(path=str(shots / "chat-phone.png"))
        # a source's "similar papers" link works from the phone too (its tab is behind "More tabs")
        await page.locator("#sources a.similar").first.click()
        await expect(page.locator("#similar-list li")).to_have_count(10, timeout=120_000)
        for name in ("Table", "Export", "Similar", "Saved questions", "Sources"):
            tab = page.get_by_role("tab", name=name)
            if await tab.count():
                await tab.click()
            else:  # narrow: the tabs that do not fit are behind the "More tabs" button
                await page.get_by_role("button", name="More tabs").click()
                await page.locator(".overflow-dropdown button", has_text=name).click()
            await expect(page.locator("[role=tabpanel]:visible").first).to_be_visible()
            if name == "Table":
                scroller = page.locator("#table .scroll")
                await expect(scroller).to_be_visible()
                wide, shown = await scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
                assert wide > shown
                await scroller.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
                assert await scroller.evaluate("s => s.scrollLeft") > 0  # the right columns can be reached
                await page.screenshot(path=str(shots / "chat-phone-table.png"), full_page=True)
        await browser.close()


def test_the_servers_terminal_shows_no_traceback(served_page):
    """Finding 9: every user error above (run first, in this file's order) left no traceback."""
    log = served_page[1].read_text()
    assert "paper-assistant page on http://127.0.0.1:" in log
    assert "Traceback" not in log and "Error" not in log, log[-3000:]
