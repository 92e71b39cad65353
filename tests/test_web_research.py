"""The page's research panels in headless Chromium, on a copy of the real index: the
date-filter chip, the comparison table, export downloads, similar papers from a
source's link, saved questions, and asking within ticked sources."""

import asyncio

import pytest

from conftest import copy_index, free_port
from test_web import _chromium

pytestmark = pytest.mark.integration

PRUNING = "Which papers since 2024 study pruning?"


@pytest.fixture(scope="module")
def research_page(real_assistant, tmp_path_factory):
    from assistant.api import Assistant
    from assistant.app.web import PAGE_OPTIONS, build_app
    from assistant.config import Settings

    data = tmp_path_factory.mktemp("research-page") / "data"
    copy_index(real_assistant.settings.storage.data_dir, data)
    assistant = Assistant(Settings(data_dir=data), notify=lambda m: None)
    port = free_port()
    demo = build_app(assistant, default_llm="extractive")
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **PAGE_OPTIONS)
    yield f"http://127.0.0.1:{port}/", assistant
    demo.close()
    assistant.close()


def test_research_panels_in_headless_chromium(research_page, tmp_path):
    asyncio.run(_research_in_chromium(*research_page, tmp_path))


async def _research_in_chromium(url: str, assistant, tmp_path) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=_chromium(), headless=True,
                                          args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = await browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        await page.goto(url, wait_until="domcontentloaded")
        await expect(page.locator("#status")).to_contain_text("papers", timeout=120_000)

        # the date phrase becomes a removable chip; the answer cites only papers from 2024 on
        await page.locator("#question textarea").fill(PRUNING)
        await page.locator("#ask-button").click()
        chip = page.locator("#date-chip")
        await expect(chip).to_contain_text("since 2024", timeout=120_000)
        await expect(chip).to_contain_text("50 undated left out")
        await expect(page.locator("#sources")).to_contain_text("Meta Pruning via Graph Metanetworks")

        # the comparison table: one row per cited paper, every cell a quote of its abstract
        await page.get_by_role("tab", name="Table").click()
        table = page.locator("#comparison")
        await expect(table).to_be_visible()
        abstracts = {p.title: p.abstract for p in assistant.papers()}
        for row in await table.locator("tbody tr").all():
            cells = [await cell.inner_text() for cell in await row.locator("td").all()]
            assert cells[0] in abstracts
            assert all(cell == "–" or cell in abstracts[cells[0]] for cell in cells[1:]), cells

        # export: the download button gives the cited papers as BibTeX
        await page.get_by_role("tab", name="Export").click()
        async with page.expect_download() as event:
            await page.locator("#download-bibtex").click()
        bib = (await (await event.value).path()).read_text()
        assert "@misc{" in bib and "Meta Pruning via Graph Metanetworks" in bib

        # saved questions: the last question is saved with its cited papers as the baseline
        await page.get_by_role("tab", name="Saved questions").click()
        await page.locator("#watch-save").click()
        await expect(page.locator("#watches")).to_contain_text(PRUNING, timeout=60_000)
        assert [w.question for w in assistant.watches()] == [PRUNING]

        # removing the chip asks again with the phrase read as words: older papers come back
        await chip.click()
        await expect(chip).to_be_hidden(timeout=120_000)
        await page.get_by_role("tab", name="Sources").click()
        await expect(page.locator("#sources")).to_contain_text("Network Pruning via Transformable Architecture Search",
                                                               timeout=120_000)

        # a source's "similar papers" link opens the page on the Similar tab
        link = page.locator("#sources a.similar").first
        href = await link.get_attribute("href")
        assert href.startswith("?similar=p")
        other = await browser.new_page(viewport={"width": 1400, "height": 1000})
        await other.goto(url + href, wait_until="domcontentloaded")
        await expect(other.locator("#similar-list li")).to_have_count(10, timeout=120_000)
        await expect(other.locator("#similar")).to_contain_text("shares:")

        # asking within ticked sources: only papers of that file are searched
        await page.get_by_text("Settings and corpus").click()
        boxes = page.locator("#only-sources input[type=checkbox]")
        await expect(boxes).to_have_count(5)
        await boxes.first.check()
        await page.locator("#question textarea").fill("Which papers study shortcut learning?")
        await page.locator("#ask-button").click()
        await expect(page.locator("#searched-for")).to_contain_text("within the 1 ticked source", timeout=120_000)
        await browser.close()
