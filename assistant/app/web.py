"""The local chat page (Gradio): a thin layer over :class:`assistant.api.Assistant`.

Built by :func:`build_app`; gradio is imported only here, and only when the page is
started. The models load in a background thread, so the page is up at once and says
what is still loading.
"""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .. import clean_question
from . import web_panels as research
from .web_sources import CSS, JS, SCROLL_TO_ANSWER, SCROLL_TO_QUESTION, link_citations, searched_line, sources_html, without_paths, years_asked

if TYPE_CHECKING:
    from ..api import Assistant

__all__ = ["CSS", "JS", "MAX_UPLOAD", "PAGE_OPTIONS", "build_app", "link_citations", "safe_upload_name", "serve",
           "sources_html"]

EXAMPLES = [
    "Which papers study shortcut learning?",
    "What CIFAR-10 error rate does NASNet achieve?",
    "Which papers are about pruning neural networks?",
    "Which papers study protein structure prediction?",
]
MAX_UPLOAD = "60mb"
PAGE_OPTIONS = {"max_file_size": MAX_UPLOAD, "css": CSS, "js": JS}  # what every launch of the page passes


class ModelStatus:
    """What the background warm-up has done so far, for the status line."""

    def __init__(self):
        self.state = "loading models in the background…"
        self.ready = threading.Event()

    def start(self, assistant: "Assistant", llm: str | None) -> None:
        def run():
            try:
                assistant.warm_up(llm)
                self.state = "models loaded"
            except Exception as exc:  # shown on the page; the page itself keeps working
                self.state = f"warm-up failed: {type(exc).__name__}: {exc}"
            finally:
                self.ready.set()

        threading.Thread(target=run, name="warm-up", daemon=True).start()


def safe_upload_name(name: str) -> str:
    """A file name that stays inside the uploads folder: no directories, no dot-files."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._")
    return cleaned[:120] or "corpus.txt"


def build_app(assistant: "Assistant", *, default_llm: str | None = None):
    import gradio as gr

    from .. import IngestError

    status = ModelStatus()
    status.start(assistant, default_llm)
    available = assistant.backends()
    defaults = assistant.defaults()
    default = default_llm or defaults.llm
    if not available.get(default, (False, ""))[0]:
        default = defaults.fallback

    def index_line() -> str:
        stats = assistant.stats() if status.ready.is_set() else None
        if stats is None:
            return f"**Index:** preparing… · **Models:** {status.state}"
        return (f"**Index:** {stats.papers} papers, {stats.chunks} chunks · **Embedder:** {stats.embedder}"
                f" · **LLM:** {default} · **Models:** {status.state}")

    def backend_lines() -> str:
        return "\n".join(f"- **{name}**: {'available' if ok else 'unavailable'} ({why})" for name, (ok, why) in available.items())

    def notice(problem: str) -> tuple:
        """A user error: said inline in the searched-for line; nothing else changes."""
        return (gr.skip(), f"<span class='inline-problem'>⚠ {html.escape(problem)}</span>") + (gr.skip(),) * (
            len(outputs) - 2)

    def answer(history: list[dict], turns: list, message: str, asked, backend: str, k: float, mode: str,
               read_dates: bool, replace_last: bool, ticked: int) -> Iterator:
        """Stream the answer to ``asked`` (a FollowUp) into the chat; the last exchange is
        replaced instead of added when ``replace_last`` (the date chip's ✕)."""
        from .. import Turn

        history = (history[:-2] if replace_last else history) + [
            {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        searched = searched_line(asked.question, years=asked.years, years_inherited=asked.years_inherited,
                                 narrowed_to=asked.narrowed_to, ticked=ticked)
        nothing = (sources_html(None), gr.Button(visible=False), gr.skip()) + research.answer_outputs(None)
        yield (history, searched, gr.skip()) + nothing
        text, result = "", None
        try:
            for event in assistant.ask_stream(asked.question, llm=backend, k=int(k), mode=mode, years=asked.years,
                                              only=asked.only, read_dates=read_dates and asked.read_dates):
                if event.kind in ("token", "reset"):
                    text = text + event.text if event.kind == "token" else ""
                    history[-1]["content"] = text
                    yield (history, searched, gr.skip()) + nothing
                elif event.kind == "done":
                    result = event.result
        except ValueError as exc:  # a filter the index cannot apply: said in the chat, in the project's words
            history[-1]["content"] = f"⚠ {without_paths(str(exc))}"
            yield (history, searched, gr.skip()) + nothing
            return
        final = link_citations(result.answer)
        if result.notices:
            final += "\n\n" + "\n".join(f"> ⚠ {n}" for n in result.notices)
        history[-1]["content"] = final
        label, shown = research.date_chip(result)
        kept = (turns[:-1] if replace_last else turns) + [Turn.of(message, asked.question, result)]
        searched = searched_line(asked.question, result.scope, years_inherited=asked.years_inherited,
                                 narrowed_to=asked.narrowed_to, ticked=ticked)
        yield ((history, searched, kept, sources_html(result), gr.Button(label, visible=shown),
                (asked, message)) + research.answer_outputs(result))

    def respond(message: str, history: list[dict], turns: list, backend: str, k: float, mode: str,
                year_from, year_to, only: list[str] | None = None) -> Iterator:
        """turns: this session's answered questions (conversation.Turn), kept server-side (gr.State)."""
        message = clean_question(message or "")
        if not message:
            yield notice("Type a question first.")
            return
        years, problem = years_asked(year_from, year_to)
        if problem:
            yield notice(problem)
            return
        status.ready.wait()
        try:
            asked = assistant.follow_up(list(turns or []), message, backend, years=years,
                                        only=",".join(only) if only else None)
        except ValueError as exc:
            yield notice(without_paths(str(exc)))
            return
        yield from answer(history, list(turns or []), message, asked, backend, k, mode, True, False, len(only or []))

    def without_dates(last, history, turns, backend, k, mode, year_from, year_to, only):
        """The date chip's ✕: the same question again in place, its date phrase read as words."""
        if not last:
            yield notice("Ask a question first.")
            return
        from dataclasses import replace

        asked, message = last
        yield from answer(history, list(turns or []), message, replace(asked, years=None, years_inherited=False),
                          backend, k, mode, False, True, len(only or []))

    def new_chat():
        """Nothing of the last answer is left: chat, filters read from it, panels, downloads, draft."""
        return ([], "", [], sources_html(None), gr.Button(visible=False), None) + research.answer_outputs(None)

    def api_ask(question: str) -> dict:
        """The same JSON as `paper-assistant ask --json` (default back-end and settings)."""
        status.ready.wait()
        try:
            return assistant.ask(question, llm=default).to_dict()
        except ValueError as exc:
            raise gr.Error(str(exc)) from None

    def add_corpus(file_path: str | None):
        """Ingest an upload; the sources list and the saved questions' news update at once."""
        if not file_path:
            return "Choose a .txt listing or a .jsonl file.", index_line(), gr.skip(), gr.skip(), None
        status.ready.wait()
        name = safe_upload_name(Path(file_path).name)
        try:  # the data directory keeps a copy, under a name that stays inside its uploads folder
            report = assistant.ingest_upload(Path(file_path), name)
        except IngestError as exc:
            problems = "\n".join(f"- {html.escape(without_paths(str(i)))}" for i in exc.issues[:20])
            return f"**Nothing was added from {name}; the index is unchanged.**\n{problems}", index_line(), \
                gr.skip(), gr.skip(), None
        lines = [f"Added **{report.new_papers}** new papers from {name} ({report.papers} in the index)."]
        lines += [f"- {html.escape(without_paths(str(i)))}" for i in report.issues[:20]]
        lines += [f"- {html.escape(r.line())}" for r in report.watched if r.changed]
        choices = gr.CheckboxGroup(choices=research.source_choices(assistant, status))
        watches = research.watches_html(assistant.watches(), report.watched)
        return "\n".join(lines), index_line(), choices, watches, None  # the upload area is ready for the next file

    with gr.Blocks(title="paper-assistant") as demo:
        gr.Markdown("## paper-assistant\nAsk about the papers in the corpus. Every claim cites its paper; "
                    "the sources panel shows the sentence of the abstract that supports it.")
        status_line = gr.Markdown(index_line(), elem_id="status")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=480, elem_id="chat", sanitize_html=True, autoscroll=False)
                searched = gr.Markdown(elem_id="searched-for")
                question = gr.Textbox(label="Question", placeholder="Which papers study …?", elem_id="question")
                with gr.Row():
                    ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button")
                    clear = gr.Button("New chat")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
                date_chip = gr.Button(visible=False, size="sm", elem_id="date-chip")
            with gr.Column(scale=2):
                with gr.Tabs() as tabs:
                    with gr.Tab("Sources", id="sources-tab"):
                        sources = gr.HTML(sources_html(None), elem_id="sources")
                    panels = research.build_panels(gr, assistant, status)
        with gr.Accordion("Settings and corpus", open=False):
            backend = gr.Radio(list(available), value=default, label="Answer back-end")
            gr.Markdown(backend_lines())
            with gr.Row():
                top_k = gr.Slider(1, 50, value=defaults.candidates, step=1, label="Candidates (top-k)")
                mode = gr.Radio(list(defaults.modes), value=defaults.mode, label="Retrieval mode")
                year_from = gr.Textbox(label="From year", placeholder="any", max_lines=1, elem_id="year-from")
                year_to = gr.Textbox(label="To year", placeholder="any", max_lines=1, elem_id="year-to")
            only = gr.CheckboxGroup(research.source_choices(assistant, status), label="Ask only within these sources "
                                    "(none ticked: the whole corpus)", elem_id="only-sources")
            upload = gr.File(label="Add a corpus file (.txt listing or .jsonl)", file_types=[".txt", ".jsonl"], type="filepath")
            upload_result = gr.Markdown()
        timer = gr.Timer(1.0)
        turns = gr.State([])
        last = gr.State(None)  # (the FollowUp that was searched, the question as typed)
        pending = gr.State("")  # the question taken from the box when it was sent

        settings = [backend, top_k, mode, year_from, year_to, only]
        outputs = [chatbot, searched, turns, sources, date_chip, last, *panels.answer_outputs]
        for send in (ask_button.click, question.submit):  # the box empties at once; what is typed later is kept
            send(lambda q: ("", q), question, [question, pending], queue=False, js=SCROLL_TO_QUESTION,
                 api_visibility="private").then(
                respond, [pending, chatbot, turns, *settings], outputs, api_visibility="private").then(
                None, js=SCROLL_TO_ANSWER)
        date_chip.click(without_dates, [last, chatbot, turns, *settings], outputs, api_visibility="private").then(
            None, js=SCROLL_TO_ANSWER)
        clear.click(new_chat, None, outputs, api_visibility="private")
        panels.c["only"] = only
        panels.wire(demo, tabs, last)
        upload.upload(add_corpus, upload, [upload_result, status_line, only, panels.c["watches"], upload],
                      api_visibility="private")

        def tick():
            return index_line(), gr.Timer(active=not status.ready.is_set())

        timer.tick(tick, None, [status_line, timer], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    demo.queue(default_concurrency_limit=8)
    return demo


def serve(assistant: "Assistant", host: str = "127.0.0.1", port: int = 7860, llm: str | None = None, **launch):
    demo = build_app(assistant, default_llm=llm)
    demo.launch(server_name=host, server_port=port, share=False, footer_links=["api"], **PAGE_OPTIONS, **launch)
    return demo
