"""The research tabs of the chat page (Table, Similar, Saved questions) and their wiring
to the library API. ``gr`` is passed in by web.py, which alone imports gradio."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .web_research import date_chip, export_files, similar_html, table_html, watches_html
from .web_sources import source_choices as _labelled

if TYPE_CHECKING:
    from .. import AnswerResult, Assistant

__all__ = ["answer_outputs", "build_panels", "date_chip", "source_choices", "watches_html"]


def answer_outputs(result: "AnswerResult | None") -> tuple:
    """What the panels show for an answer: the table, and the files of the download buttons."""
    files = export_files(result)
    return (table_html(result), *(files[k] for k in ("bibtex", "csv", "markdown", "table_csv", "table_markdown")))


def source_choices(assistant: "Assistant", status) -> list[tuple[str, str]]:
    """(label, path) of every corpus file the index holds papers from (once the index is ready):
    its name, paper count and years."""
    if not status.ready.is_set():
        return []
    return _labelled(assistant.papers())


@dataclass
class Panels:
    gr: Any
    assistant: "Assistant"
    status: Any
    answer_outputs: list = field(default_factory=list)
    c: dict = field(default_factory=dict)  # the components, by name

    def wire(self, demo, tabs, last) -> None:
        gr, c, assistant = self.gr, self.c, self.assistant

        def similar(reference: str):
            from .. import PaperNotFound

            self.status.ready.wait()
            reference = (reference or "").strip()
            if not reference:
                return similar_html("", None)
            try:
                found = assistant.similar(reference, k=10)
            except PaperNotFound as exc:
                hint = f" Closest titles: {'; '.join(exc.suggestions)}." if exc.suggestions else ""
                return similar_html(reference, None, f"No paper matches “{reference}”.{hint}")
            title = next((p.title for p in assistant.papers() if p.paper_id == reference), reference)
            return similar_html(title, found)

        def from_link(request):
            """A source's "similar papers" link opens the page with ?similar=PAPER_ID."""
            wanted = dict(request.query_params).get("similar") if request else None
            self.status.ready.wait()
            choices = gr.CheckboxGroup(choices=source_choices(assistant, self.status))
            saved = watches_html(assistant.watches())
            if not wanted:
                return gr.Tabs(), gr.Textbox(), similar_html("", None), choices, saved
            return gr.Tabs(selected="similar-tab"), gr.Textbox(value=wanted), similar(wanted), choices, saved

        from_link.__annotations__ = {"request": gr.Request}  # how gradio knows to pass the request

        def save(last_asked):
            """A problem (nothing asked yet, saved already) is said above the list, never raised."""
            if not last_asked:
                return watches_html(assistant.watches(), notice="Ask a question first; then it can be saved.")
            try:
                watch = assistant.watch(last_asked[1])
            except ValueError as exc:
                return watches_html(assistant.watches(), notice=str(exc).removeprefix("question: ").capitalize())
            return watches_html(assistant.watches(), notice=f"Saved #{watch.id}; it cites {len(watch.cited)} "
                                                            "paper(s) now (the baseline).")

        def check():
            reports = assistant.check_watches()
            return watches_html(assistant.watches(), reports, checked=True)

        c["find"].click(similar, c["reference"], c["similar"], api_visibility="private")
        c["reference"].submit(similar, c["reference"], c["similar"], api_visibility="private")
        demo.load(from_link, None, [tabs, c["reference"], c["similar"], c["only"], c["watches"]],
                  api_visibility="private")
        c["save"].click(save, last, c["watches"], api_visibility="private")
        c["check"].click(check, None, c["watches"], api_visibility="private")


def build_panels(gr, assistant: "Assistant", status) -> Panels:
    """The Table, Similar and Saved-questions tabs (inside web.py's gr.Tabs)."""
    panels = Panels(gr, assistant, status)
    c = panels.c
    with gr.Tab("Table", id="table-tab"):
        c["table"] = gr.HTML(table_html(None), elem_id="table")
        with gr.Row():
            c["table_csv"] = gr.DownloadButton("Table as CSV", elem_id="download-table-csv", size="sm")
            c["table_md"] = gr.DownloadButton("Table as Markdown", elem_id="download-table-md", size="sm")
    with gr.Tab("Export", id="export-tab"):
        gr.Markdown("The cited papers, for a reference manager (title, date, number of authors, arXiv id or url "
                    "where the corpus has them, and the quote).")
        with gr.Row():
            c["bibtex"] = gr.DownloadButton("BibTeX", elem_id="download-bibtex", size="sm")
            c["csv"] = gr.DownloadButton("CSV", elem_id="download-csv", size="sm")
            c["markdown"] = gr.DownloadButton("Markdown", elem_id="download-markdown", size="sm")
    with gr.Tab("Similar", id="similar-tab"):
        c["reference"] = gr.Textbox(label="A paper (title or id)", elem_id="similar-reference")
        c["find"] = gr.Button("Find similar papers", size="sm", elem_id="similar-button")
        c["similar"] = gr.HTML(similar_html("", None), elem_id="similar")
    with gr.Tab("Saved questions", id="watch-tab"):
        c["save"] = gr.Button("Save the last question", size="sm", elem_id="watch-save")
        c["check"] = gr.Button("Check for new papers now", size="sm", elem_id="watch-check")
        c["watches"] = gr.HTML(watches_html(assistant.watches()) if status.ready.is_set() else watches_html([]),
                               elem_id="watches")
    panels.answer_outputs = [c["table"], c["bibtex"], c["csv"], c["markdown"], c["table_csv"], c["table_md"]]
    return panels
