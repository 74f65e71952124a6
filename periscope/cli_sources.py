"""``periscope sources list|show|grade|apply|corroborate``: the source registry and its grades (issue 16).

Grading a source writes the grade (with rationale and author) to the workspace, then restamps the
source's documents in the index with a guarded PIT scan + bulk partial update (search_api/regrade.py).
Sources are registered (grade F) lazily from the index's ``source`` terms whenever these commands run.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from periscope.cli_workspace import EXIT_BAD_INPUT, fail, open_workspace, settings_or_exit, workspace_errors
from periscope.settings import Settings

console = Console(stderr=True)
sources_app = typer.Typer(help="Sources and their reliability grades (NATO A-F, docs/grading.md).",
                          no_args_is_help=True)
MAX_SOURCES = 1000
DEMO_GRADES = Path(__file__).resolve().parent.parent / "demo" / "sources.yaml"  # applied by `periscope demo`


def _author() -> str:
    return f"cli:{getpass.getuser()}"


def _es(settings: Settings) -> Any:
    from mappings.client import es_client
    from periscope.cli_common import ensure_node

    ensure_node(settings)
    return es_client(settings.es_connection())


def register_indexed(settings: Settings, es: Any) -> list[str]:
    """Register every ``source`` of the index not yet in the registry (grade F); returns the new names."""
    from workspace import sources as S

    if not es.indices.exists_alias(name=settings.index_alias):
        return []
    resp = es.search(index=settings.index_alias, size=0,
                     aggs={"s": {"terms": {"field": "source", "size": MAX_SOURCES}}})
    names = [b["key"] for b in resp["aggregations"]["s"]["buckets"]]
    with open_workspace(settings) as ws, workspace_errors(ws.safe_url), ws.session() as db:
        return S.ensure_sources(db, names, by="periscope (seen in the index)")


@sources_app.command("list")
def list_cmd(sort: str = typer.Option("name", help="name, reliability, type, country, owner or graded_at"),
             desc: bool = typer.Option(False, "--desc", help="Descending order.")) -> None:
    """Every source with its grade (sources seen in the index are registered with F first)."""
    from workspace import sources as S

    settings = settings_or_exit()
    register_indexed(settings, _es(settings))
    with open_workspace(settings) as ws, workspace_errors(ws.safe_url), ws.session(readonly=True) as db:
        rows = S.list_sources(db, sort, desc)
    table = Table("source", "grade", "type", "owner", "country", "graded by", "graded at", "rationale")
    for s in rows:
        table.add_row(s.name, f"{s.reliability} {s.label}", s.type, s.owner, s.country, s.graded_by,
                      s.graded_at.strftime("%Y-%m-%d %H:%M"), s.rationale[:60])
    Console(width=200).print(table)


@sources_app.command("show")
def show_cmd(name: str = typer.Argument(..., help="Source name as indexed (case-insensitive).")) -> None:
    """One source, its details and its full grade history."""
    from workspace import sources as S

    settings = settings_or_exit()
    with open_workspace(settings) as ws, workspace_errors(ws.safe_url), ws.session(readonly=True) as db:
        s = S.get_source(db, name)
    out = Console(width=200)
    out.print(f"[bold]{s.name}[/bold]  {s.reliability} ({s.label})")
    for key in ("type", "home_url", "country", "language", "owner", "affiliation", "description"):
        if getattr(s, key):
            out.print(f"  {key}: {getattr(s, key)}")
    table = Table("grade", "graded by", "graded at", "rationale", title="history")
    for h in s.history:
        table.add_row(h.reliability, h.graded_by, h.graded_at.strftime("%Y-%m-%d %H:%M:%S"), h.rationale)
    out.print(table)


def grade(settings: Settings, es: Any, name: str, reliability: str, why: str, *,
          details: dict[str, str] | None = None, by: str | None = None, same_ok: bool = False) -> None:
    """Grade one source and restamp its documents, printing progress and the outcome."""
    from search_api.regrade import regrade_source
    from workspace import sources as S

    with open_workspace(settings) as ws, workspace_errors(ws.safe_url), ws.session() as db:
        if details:
            S.update_source(db, name, **details)
        now = S.get_source(db, name)
        if same_ok and (now.reliability, now.rationale) == (S.check_reliability(reliability), why.strip()):
            info, before = now, now.reliability  # a re-applied file adds no history row, only restamps
        else:
            info, before = S.grade_source(db, name, reliability, why, by or _author())
    result = regrade_source(es, settings.index_alias, info.name, info.reliability,
                            progress=lambda done, total: console.print(f"  {done:,}/{total:,} documents", end="\r"))
    console.print(f"{info.name}: {before} → {info.reliability} ({info.label}); {result.updated:,} documents "
                  f"restamped in {result.seconds:.2f}s ({result.conflicts} conflicts retried"
                  + (f", {result.left} left: run the command again" if result.left else "") + ")")


@sources_app.command("grade")
def grade_cmd(name: str = typer.Argument(...), reliability: str = typer.Argument(..., help="A-F"),
              why: str = typer.Option(..., "--why", help="Rationale (required), kept in the history.")) -> None:
    """Grade a source A-F with a rationale and restamp its documents."""
    settings = settings_or_exit()
    es = _es(settings)
    register_indexed(settings, es)
    grade(settings, es, name, reliability, why)


def apply_file(settings: Settings, path: Path, es: Any | None = None) -> int:
    """Apply a grading file (see demo/sources.yaml): register, describe and grade each listed source."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise fail(f"cannot read the grading file {path}: {exc}", EXIT_BAD_INPUT) from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise fail(f"{path}: expected a top-level `sources:` list (see demo/sources.yaml)", EXIT_BAD_INPUT)
    from workspace import sources as S

    es = es or _es(settings)
    register_indexed(settings, es)
    names = [str(e.get("name", "")) for e in entries if isinstance(e, dict)]
    with open_workspace(settings) as ws, workspace_errors(ws.safe_url), ws.session() as db:
        S.ensure_sources(db, names, by=f"file:{path.name}")
    for entry in entries:
        details = {k: str(entry[k]) for k in S.EDITABLE if entry.get(k)}
        grade(settings, es, str(entry["name"]), str(entry.get("reliability", "F")), str(entry.get("rationale", "")),
              details=details, by=f"file:{path.name}", same_ok=True)
    return len(entries)


@sources_app.command("apply")
def apply_cmd(path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A YAML grading file.")) -> None:
    """Apply a grading file (e.g. demo/sources.yaml)."""
    n = apply_file(settings_or_exit(), path)
    console.print(f"{n} sources graded from {path}")


def corroborate(settings: Settings, es: Any) -> None:
    """Recompute corroboration and default credibility for the whole index (overrides kept)."""
    from search_api.corroboration import recompute
    from workspace import sources as S

    with open_workspace(settings) as ws, workspace_errors(ws.safe_url):
        with ws.session(readonly=True) as db:
            owners = S.owners_by_source(db)

        def overrides(ids: list[str]) -> dict[str, str | None]:
            with ws.session(readonly=True) as db:
                return S.current_overrides(db, ids)

        r = recompute(es, settings.index_alias, owners, overrides)
    console.print(f"corroboration: {r.documents:,} documents, {r.corroborated:,} reported by ≥2 independent "
                  f"sources, {r.updated:,} updated in {r.seconds:.1f}s")


@sources_app.command("corroborate")
def corroborate_cmd() -> None:
    """Recompute corroboration (independent sources per story) and default credibility; run after ingest."""
    settings = settings_or_exit()
    corroborate(settings, _es(settings))


def load_news_pages(settings: Settings, batch_size: int = 64) -> None:
    """The demo's other corpora: real articles from many outlets, one source each (periscope/demo_news.py) —
    the newspaper4k pages, and the Aylien stories where several outlets report one event (corroboration)."""
    from periscope.cli_indexer import run_pipeline
    from periscope import demo_news as N

    for fetch, read, sdist, label, collection in (
            (N.newspaper_data, N.news_items, N.NEWSPAPER_SDIST, "news pages (newspaper4k)", N.COLLECTION),
            (N.stories_data, N.story_items, N.STORIES_SDIST, "news stories (news-signals)", N.STORIES_COLLECTION)):
        data = fetch(settings.cache_dir)
        if data is None:
            console.print(f"[yellow]{label} skipped:[/yellow] could not fetch the {sdist} sdist with pip")
            continue
        items = [d for d in read(data) if d.body.strip()]
        run_pipeline(settings, items, alias=settings.index_alias, workers=1, batch_size=batch_size,
                     total=len(items), label=label, collection=collection)


def after_ingest(settings: Settings, grading_file: Path | None = None) -> None:
    """What `periscope demo` runs after loading: apply a grading file, restamp graded sources, corroborate."""
    es = _es(settings)
    if grading_file is not None and grading_file.is_file():
        apply_file(settings, grading_file, es)
    else:
        from workspace import sources as S

        register_indexed(settings, es)
        with open_workspace(settings) as ws, ws.session(readonly=True) as db:
            graded = {s.name: s.reliability for s in S.list_sources(db) if s.reliability != S.UNGRADED}
        from search_api.regrade import regrade_source

        for name, grade_ in graded.items():  # new documents arrive as F: give them their source's grade
            regrade_source(es, settings.index_alias, name, grade_)
    corroborate(settings, es)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
