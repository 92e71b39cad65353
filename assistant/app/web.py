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
from ..retrieval import QUOTE_GAP
from . import web_panels as research
from .present import present

if TYPE_CHECKING:
    from .. import AnswerResult
    from ..api import Assistant

EXAMPLES = [
    "Which papers study shortcut learning?",
    "What CIFAR-10 error rate does NASNet achieve?",
    "Which papers are about pruning neural networks?",
    "Which papers study protein structure prediction?",
]
MAX_UPLOAD = "60mb"
CSS = """
#sources .paper { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 6px 0; }
#sources .verdict-supported { color: #15803d; } #sources .verdict-weak { color: #b45309; }
#sources .verdict-unsupported { color: #b91c1c; } #sources .verdict-not-cited { color: var(--body-text-color-subdued); }
#sources mark { background: #fef08a; }
#sources .meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
"""


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


def link_citations(answer: str) -> str:
    """[n] and [1, 3] become links to the sources panel."""

    def link(match: re.Match) -> str:
        numbers = [n.strip() for n in match.group(1).split(",")]
        return "[" + ", ".join(f'<a href="#src-{n}">{n}</a>' for n in numbers) + "]"

    return re.sub(r"\[(\d+(?:\s*,\s*\d+)*)\]", link, answer)


def sources_html(result: "AnswerResult | None") -> str:
    if result is None:
        return "<p class='meta'>Sources of the answer appear here.</p>"
    shown = present(result)
    parts = ["<h3>Cited papers</h3>"] if shown.sources else ["<p>No paper in the corpus was relevant.</p>"]
    for source in shown.sources:
        meta = " · ".join(
            x for x in (source.date, f"{source.authors} authors" if source.authors else "",
                        f"confidence {source.confidence:.2f}" if source.confidence is not None else "") if x
        )
        quote = html.escape(source.quote)
        abstract = html.escape(source.abstract)
        for part in quote.split(html.escape(QUOTE_GAP)):  # a quote of several spans marks each
            abstract = abstract.replace(part, f"<mark>{part}</mark>", 1)
        parts.append(
            f"<div class='paper' id='src-{source.n}'><b>[{source.n}] {html.escape(source.title)}</b>"
            f"<div class='meta'>{html.escape(meta)} · <span class='verdict-{source.verdict.replace(' ', '-')}'>"
            f"{source.verdict_words}</span>"
            f" · <a class='similar' href='?similar={html.escape(source.paper_id)}' target='_blank'>similar papers</a></div>"
            f"<blockquote>“{quote}”</blockquote>"
            f"<details><summary>Abstract</summary><p>{abstract}</p></details></div>"
        )
    for paper in shown.related:
        parts.append(
            f"<div class='paper related'><b>{html.escape(paper.title)}</b>"
            f"<div class='meta'>closest paper; does not answer · confidence {paper.confidence:.2f}</div>"
            f"<blockquote>“{html.escape(paper.quote)}”</blockquote></div>"
        )
    if shown.also:
        parts.append("<h4>May also be relevant</h4><p class='meta'>Below the selector's cut; not cited.</p><ul>")
        parts.extend(f"<li>{html.escape(p.title)} <span class='meta'>({p.date}; confidence {p.confidence:.2f})</span></li>"
                     for p in shown.also)
        parts.append("</ul>")
    if shown.not_cited:
        parts.append("<h4>Retrieved, not cited</h4><ul>")
        parts.extend(f"<li>{html.escape(p.title)} <span class='meta'>({p.date}"
                     + (f"; confidence {p.confidence:.2f}" if p.confidence is not None else "") + ")</span></li>"
                     for p in shown.not_cited)
        parts.append("</ul>")
    return "\n".join(parts)


def safe_upload_name(name: str) -> str:
    """A file name that stays inside the uploads folder: no directories, no dot-files."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._")
    return cleaned[:120] or "corpus.txt"


def _years(start: float | None, end: float | None) -> tuple[int, int] | None:
    if not start and not end:
        return None
    return int(start or 0), int(end or 9999)  # a reversed range is refused by Assistant.ask_stream


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
        llm = defaults.llm
        return (f"**Index:** {stats.papers} papers, {stats.chunks} chunks · **Embedder:** {stats.embedder}"
                f" · **LLM:** {llm} · **Models:** {status.state}")

    def backend_lines() -> str:
        return "\n".join(f"- **{name}**: {'available' if ok else 'unavailable'} ({why})" for name, (ok, why) in available.items())

    def respond(message: str, history: list[dict], pairs: list, backend: str, k: float, mode: str,
                year_from, year_to, only: list[str] | None = None, read_dates: bool = True) -> Iterator:
        """pairs: this session's (question, answer text) turns, kept server-side (gr.State)."""
        message = clean_question(message or "")
        if not message:
            raise gr.Error("Type a question first.")
        status.ready.wait()
        pairs = list(pairs or [])
        standalone = assistant.condense(pairs, message, backend) if pairs else message
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        searched = f"searched for: *{standalone}*" + (" (within the ticked sources)" if only else "")
        nothing = (sources_html(None), gr.Button(visible=False), None) + research.answer_outputs(None)
        yield (history, searched, "", pairs) + nothing
        text, result = "", None
        try:
            for event in assistant.ask_stream(standalone, llm=backend, k=int(k), mode=mode, years=_years(year_from, year_to),
                                              only=",".join(only) if only else None, read_dates=read_dates):
                if event.kind == "token":
                    text += event.text
                elif event.kind == "reset":
                    text = ""
                elif event.kind == "done":
                    result = event.result
                    continue
                else:
                    continue
                history[-1]["content"] = text
                yield (history, searched, "", pairs) + nothing
        except ValueError as exc:
            raise gr.Error(str(exc)) from None
        final = link_citations(result.answer)
        if result.notices:
            final += "\n\n" + "\n".join(f"> ⚠ {n}" for n in result.notices)
        history[-1]["content"] = final
        label, shown = research.date_chip(result)
        yield ((history, searched, "", pairs + [(message, result.answer)], sources_html(result),
                gr.Button(label, visible=shown), (standalone, message)) + research.answer_outputs(result))

    def without_dates(last, history, pairs, backend, k, mode, year_from, year_to, only):
        """The date chip's ✕: the same question again, its date phrase read as words."""
        standalone, message = last or ("", "")
        yield from respond(standalone or message, history, pairs, backend, k, mode, year_from, year_to, only, False)

    def api_ask(question: str) -> dict:
        """The same JSON as `paper-assistant ask --json` (default back-end and settings)."""
        status.ready.wait()
        try:
            return assistant.ask(question, llm=default).to_dict()
        except ValueError as exc:
            raise gr.Error(str(exc)) from None

    def add_corpus(file_path: str | None) -> tuple[str, str]:
        if not file_path:
            return "Choose a .txt listing or a .jsonl file.", index_line()
        status.ready.wait()
        try:  # the data directory keeps a copy, under a name that stays inside its uploads folder
            report = assistant.ingest_upload(Path(file_path), safe_upload_name(Path(file_path).name))
        except IngestError as exc:
            problems = "\n".join(f"- {html.escape(str(i))}" for i in exc.issues[:20])
            return f"**Nothing was added; the index is unchanged.**\n{problems}", index_line()
        lines = [f"Added **{report.new_papers}** new papers ({report.papers} in the index)."]
        lines += [f"- {html.escape(str(i))}" for i in report.issues[:20]]
        return "\n".join(lines), index_line()

    with gr.Blocks(title="paper-assistant") as demo:
        gr.Markdown("## paper-assistant\nAsk about the papers in the corpus. Every claim cites its paper; "
                    "the sources panel shows the sentence of the abstract that supports it.")
        status_line = gr.Markdown(index_line(), elem_id="status")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=480, elem_id="chat", sanitize_html=True)
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
                year_from = gr.Number(label="From year", precision=0)
                year_to = gr.Number(label="To year", precision=0)
            only = gr.CheckboxGroup(research.source_choices(assistant, status), label="Ask only within these sources "
                                    "(none ticked: the whole corpus)", elem_id="only-sources")
            upload = gr.File(label="Add a corpus file (.txt listing or .jsonl)", file_types=[".txt", ".jsonl"], type="filepath")
            upload_result = gr.Markdown()
        timer = gr.Timer(1.0)
        turns = gr.State([])
        last = gr.State(None)  # (the question as searched, as typed)

        settings = [backend, top_k, mode, year_from, year_to, only]
        inputs = [question, chatbot, turns, *settings]
        outputs = [chatbot, searched, question, turns, sources, date_chip, last, *panels.answer_outputs]
        ask_button.click(respond, inputs, outputs, api_visibility="private")
        question.submit(respond, inputs, outputs, api_visibility="private")
        date_chip.click(without_dates, [last, chatbot, turns, *settings], outputs, api_visibility="private")
        clear.click(lambda: ([], "", sources_html(None), []), None, [chatbot, searched, sources, turns],
                    api_visibility="private")
        panels.c["only"] = only
        panels.wire(demo, tabs, last)
        upload.upload(add_corpus, upload, [upload_result, status_line], api_visibility="private")

        def tick():
            return index_line(), gr.Timer(active=not status.ready.is_set())

        timer.tick(tick, None, [status_line, timer], api_visibility="private")
        gr.api(api_ask, api_name="ask")
    demo.queue(default_concurrency_limit=8)
    return demo


def serve(assistant: "Assistant", host: str = "127.0.0.1", port: int = 7860, llm: str | None = None, **launch):
    demo = build_app(assistant, default_llm=llm)
    demo.launch(server_name=host, server_port=port, share=False, max_file_size=MAX_UPLOAD, css=CSS,
                footer_links=["api"], **launch)
    return demo
