"""The briefing as a Word document (python-docx), from the same context as the HTML and Markdown.

Word has no template language of its own that python-docx could fill, so the structure is written
here, section for section the same as ``briefing.html.j2``; the timeline is a table of days (a Word
reader gets the figures, the chart is in the HTML/PDF).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .view import CaseView


def _table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text


def _handling(doc: Any, text: str) -> None:
    if text:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True


def build(view: CaseView, ctx: dict[str, Any]) -> bytes:
    from .briefing import citation  # one citation format for every product

    case = view.case
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = case.name
    _handling(doc, case.classification)
    doc.add_heading(case.name, level=0)
    doc.add_paragraph(f"Briefing generated {ctx['generated_at']} · case #{case.id} · status {case.status} · "
                      f"{len(view.docs)} documents · analysts: {', '.join(case.members)}")
    doc.add_heading("Bottom line up front", level=1)
    for para in (case.summary or "(No summary written yet.)").split("\n"):
        if para.strip():
            doc.add_paragraph(para)
    if view.judgements:
        doc.add_heading("Key judgements", level=1)
        for j in view.judgements:
            doc.add_paragraph(j, style="List Number")
    doc.add_heading("Timeline", level=1)
    _table(doc, ["Date", "Documents"], [[day, str(n)] for day, n in view.timeline])
    if view.entities:
        doc.add_heading("Entities", level=1)
        labels = ctx["entity_labels"]
        _table(doc, ["Entity", "Type", "Documents"], [[n, labels.get(t, t), str(c)] for t, n, c in view.entities])
    if view.excerpts:
        doc.add_heading("Annotated excerpts", level=1)
        for i, e in enumerate(view.excerpts, 1):
            doc.add_paragraph(f"“{e.quote}”", style="Intense Quote")
            if e.comment:
                doc.add_paragraph().add_run(f"{e.comment} — {e.owner}").italic = True
            doc.add_paragraph(f"[{i}] {e.doc.title} — {citation(e.doc)}").runs[0].font.size = Pt(8.5)
    doc.add_heading("Annex: documents of the case", level=1)
    _table(doc, ["#", "Document", "Source", "Date", "Grade", "URL / id", "Why it is here"],
           [[str(i), d.title, d.source, d.date or "undated", d.rating, f"{d.url or 'no URL'} · id {d.id}", d.reason]
            for i, d in enumerate(view.docs, 1)])
    _handling(doc, case.classification)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
