"""The briefing product of a case: HTML (print-ready), PDF, DOCX and Markdown from Jinja templates.

* HTML and Markdown come from ``briefing.html.j2`` / ``briefing.md.j2``; an operator can override either
  by putting a file of that name in ``PERISCOPE_BRIEFING_TEMPLATE_DIR`` (ours stay the fallback).
* PDF is the HTML printed by headless Chromium (Playwright's ``page.pdf()``) with every network request
  refused, so a product can never pull a remote font or script; DOCX is built with python-docx from
  the same context (:mod:`.docx_product`).
* A template error (syntax, an unknown variable — templates run with ``StrictUndefined`` — or anything
  raised while rendering) is a 400 naming the template and line, never a 500.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..errors import PeriscopeError
from . import docx_product, pdf
from .chart import timeline_svg
from .view import CaseDoc, CaseView

Format = Literal["html", "pdf", "docx", "md"]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BUILTIN = Path(__file__).resolve().parent / "templates"
ENTITY_LABELS = {"person": "Person", "org": "Organisation", "location": "Location", "misc": "Other", "other": "Other"}


class EmptyCase(PeriscopeError):
    status = 422
    title = "Nothing to brief"
    type = "/problems/empty-case"


class TemplateProblem(PeriscopeError):
    status = 400
    title = "Briefing template error"
    type = "/problems/template-error"


class RenderFailed(PeriscopeError):
    status = 503
    title = "PDF renderer unavailable"
    type = "/problems/unavailable"


@dataclass(frozen=True)
class Product:
    content: bytes
    media_type: str
    filename: str


def citation(d: CaseDoc) -> str:
    """One line that lets a reader find and weigh the source (docs/grading.md: reliability A-F, credibility 1-6)."""
    parts = [d.source or "unknown source", d.date or "undated", d.url or "no URL", f"id {d.id}",
             f"grade {d.rating} (source reliability {d.rating[0]}, credibility {d.rating[1:]})"]
    return " · ".join(parts)


def environment(template_dir: Path | None, *, autoescape: bool) -> SandboxedEnvironment:
    """Sandboxed: an operator's template may read the context, not reach into Python."""
    loaders = [FileSystemLoader(str(template_dir))] if template_dir else []
    env = SandboxedEnvironment(loader=ChoiceLoader([*loaders, FileSystemLoader(str(BUILTIN))]),
                               autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["citation"] = citation
    return env


def context(view: CaseView) -> dict[str, Any]:
    return {
        "case": view.case, "docs": view.docs, "excerpts": view.excerpts, "judgements": view.judgements,
        "entities": view.entities, "entity_labels": ENTITY_LABELS, "timeline": view.timeline,
        "timeline_svg": timeline_svg(view.timeline), "notes": view.notes,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _line_of(exc: BaseException, name: str) -> int | None:
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(name)]
    return frames[-1].lineno if frames else None


def render_template(name: str, view: CaseView, template_dir: Path | None, *, autoescape: bool) -> str:
    env = environment(template_dir, autoescape=autoescape)
    try:
        return env.get_template(name).render(context(view))
    except Exception as exc:  # noqa: BLE001 - whatever an operator's template does wrong is a 400, not a 500
        where = getattr(exc, "name", None) if isinstance(exc, TemplateSyntaxError) else None
        line = _line_of(exc, where or name)
        kind = "syntax error" if isinstance(exc, TemplateSyntaxError) else "error" if isinstance(exc, TemplateError) else type(exc).__name__
        at = f"{where or name}, line {line}" if line else (where or name)
        raise TemplateProblem(f"{kind} in template {at}: {exc}",
                              "fix the template in PERISCOPE_BRIEFING_TEMPLATE_DIR (docs/briefings.md lists the variables)") from None


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "case"


async def render(view: CaseView, fmt: Format, settings: Any) -> Product:
    template_dir = getattr(settings, "briefing_template_dir", None)
    name = f"briefing-{slug(view.case.name)}-{datetime.now(UTC):%Y-%m-%d}.{fmt}"
    if fmt == "md":
        text = render_template("briefing.md.j2", view, template_dir, autoescape=False)
        return Product(text.encode(), "text/markdown; charset=utf-8", name)
    if fmt == "docx":
        return Product(docx_product.build(view, context(view)), DOCX_TYPE, name)
    html = render_template("briefing.html.j2", view, template_dir, autoescape=True)
    if fmt == "html":
        return Product(html.encode(), "text/html; charset=utf-8", name)
    try:
        return Product(await pdf.html_to_pdf(html, getattr(settings, "briefing_chromium", pdf.CHROMIUM)), "application/pdf", name)
    except pdf.PdfUnavailable as exc:
        raise RenderFailed(str(exc), "install Debian's chromium (scripts/setup.sh) or set PERISCOPE_BRIEFING_CHROMIUM") from None


__all__ = ["DOCX_TYPE", "EmptyCase", "Format", "Markup", "Product", "TemplateProblem", "render"]
