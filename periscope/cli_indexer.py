"""``periscope index``, ``periscope demo`` and ``periscope feeds``: the ingestion commands."""

from __future__ import annotations

import json
import re
import os
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from periscope.cli_common import console, ensure_node, settings_or_exit

feeds_app = typer.Typer(help="Register RSS/Atom feeds and ingest their new items.", no_args_is_help=True)

EXIT_FAILURES = 1
EXIT_ES_UNAVAILABLE = 3
DEMO_DEFAULT_LIMIT = 2000  # ≈1.5–2 min on 2 cores: `make run` stays quick; --limit 0 loads all
DEMO_COLLECTION = "reuters"  # the demo corpus's need-to-know collection


def default_workers() -> int:
    """Cores this process may use, minus one for the reader/loader and Elasticsearch; at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))  # a container's CPU set, not the host's
    except (AttributeError, OSError):
        cores = os.cpu_count() or 2
    return max(1, cores - 1)


_settings = settings_or_exit


def _client(settings: Any) -> Any:
    from mappings.client import es_client

    return es_client(settings.es_connection())


def dead_letter_dir(settings: Any) -> Path:
    return settings.cache_dir / "ingest" / "dead-letter"


def source_limits(settings: Any, max_mb: float | None = None) -> Any:
    """Per-document limits of this run (size, parse time, symlinks, zip containers) from settings."""
    from indexer.sources import Limits

    return Limits(max_bytes=int((max_mb or settings.ingest_max_mb) * 1024 * 1024),
                  parse_timeout=settings.ingest_parse_timeout, follow_symlinks=settings.ingest_follow_symlinks,
                  zip_max_members=settings.ingest_zip_max_members, zip_max_ratio=settings.ingest_zip_max_ratio,
                  min_text_chars=settings.ingest_min_text_chars, ocr=settings.ingest_ocr,
                  ocr_languages=settings.ingest_ocr_languages, ocr_page_timeout=settings.ingest_ocr_page_timeout,
                  ocr_max_pages=settings.ingest_ocr_max_pages, archive_max_depth=settings.ingest_archive_max_depth,
                  sheet_rows_as_documents=settings.ingest_sheet_rows)


def fetch_policy(settings: Any, max_bytes: int | None = None) -> Any:
    """The network policy of this run (timeouts, size cap, allowed private ranges) from settings."""
    from indexer.http import FetchPolicy

    return FetchPolicy(timeout=settings.fetch_timeout, connect_timeout=min(5.0, settings.fetch_timeout),
                       max_bytes=max_bytes or int(settings.ingest_max_mb * 1024 * 1024),
                       max_redirects=settings.fetch_max_redirects, allow_networks=tuple(settings.fetch_allow_networks))


COLLECTION_NAME = re.compile(r"^[a-z0-9-]{1,64}$")


def check_collection(name: str | None) -> str | None:
    """``--collection``: lowercase letters, digits and dashes (safe in filters, URLs and the shell)."""
    if name is not None and not COLLECTION_NAME.match(name):
        raise typer.BadParameter(f"{name[:80]!r} is not a collection name: use 1-64 lowercase letters, digits "
                                 "or dashes, e.g. --collection field-reports")
    return name


def run_pipeline(settings: Any, items: Any, *, alias: str, workers: int, batch_size: int, total: int | None,
                 label: str, quiet: bool = False, collection: str | None = None, description: str = "") -> Any:
    """Run the pipeline with a live progress bar; print the summary; return the stats."""
    from indexer.pipeline import Pipeline, PipelineConfig

    ensure_node(settings)
    cfg = PipelineConfig(alias=alias, dead_letter_dir=dead_letter_dir(settings), batch_size=batch_size,
                         workers=workers, shards=settings.index_shards, replicas=settings.index_replicas,
                         es_give_up_after=settings.ingest_es_give_up_s, collection=collection,
                         description=description or label, min_text_chars=settings.ingest_min_text_chars)
    progress = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
        TextColumn("{task.fields[count]}"),
        TextColumn("{task.fields[rate]:.1f} docs/s"), TextColumn("failed {task.fields[failed]}"),
        TextColumn("{task.fields[note]}"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, disable=quiet, transient=False,
    )
    task = progress.add_task(label, total=total, rate=0.0, failed=0, note="", count=f"0/{total}" if total else "0")

    def update(st: Any) -> None:
        note = f"ES retries {st.es_retries}" if st.es_retries else ""
        if progress.tasks[0].total is not None and st.processed > progress.tasks[0].total:
            progress.update(task, total=None)  # more documents than counted: say so, not "13/11"
        known = progress.tasks[0].total
        count = f"{st.processed}/{int(known)}" if known is not None else f"{st.processed} docs"
        progress.update(task, completed=st.processed, rate=st.rate, failed=st.failed, note=note, count=count)

    log_file = log_to_file(settings)
    es = _client(settings)
    with progress:
        stats = Pipeline(es, cfg, progress=update).run(items)
    print_summary(stats)
    console.print(f"log: {log_file}", style="dim")
    return stats


def log_to_file(settings: Any) -> Path:
    """Send library logging and warnings (pypdf's "EOF marker not found", …) to a log file instead
    of the terminal, where they would tear the progress bar; the summary names the file."""
    import logging
    import logging.handlers

    path = settings.cache_dir / "logs" / "ingest.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    logging.captureWarnings(True)
    return path


def print_summary(stats: Any) -> None:
    d = stats.as_dict()
    console.print(
        f"[bold]{d['read']}[/bold] read → {d['created']} new, {d['updated']} updated, {d['unchanged']} unchanged, "
        f"{d['duplicates']} near-duplicates linked, [{'red' if d['failed'] else 'green'}]{d['failed']} failed[/]"
        f" in {d['elapsed_s']:.1f}s ({d['docs_per_s']:.1f} docs/s) into {d['alias']}"
    )
    if d["failed"]:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(d["failures_by_reason"].items()))
        console.print(f"[red]failures[/red] ({reasons}); details in {d['dead_letter_file']} "
                      f"and the index {d['ingest_log_index']} (run_id {d['run_id']})")
    if d["aborted"]:
        console.print(f"[red]run stopped:[/red] {d['aborted']}. Nothing was lost: run the same command again "
                      f"to load what is missing.")


def _exit(stats: Any) -> None:
    if stats.aborted:
        raise typer.Exit(EXIT_ES_UNAVAILABLE)
    if stats.failed:
        raise typer.Exit(EXIT_FAILURES)


def index(
    targets: list[str] = typer.Argument(..., help="Files, folders, feed URLs or web page URLs.", metavar="PATH_OR_URL..."),
    source: str = typer.Option(None, "--source", help="Source name stored on every document (default: folder/host/file name)."),
    source_type: str = typer.Option("auto", "--source-type", help="auto | file | json | feed | web."),
    workers: int = typer.Option(None, "--workers", help="Enrichment worker processes (0 = in this process)."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, max=5000, help="Documents per enrichment batch."),
    field_map: list[str] = typer.Option(None, "--map", help="JSON field mapping, e.g. title=headline,body=text,url=link,id=uid."),
    fetch_pages: bool = typer.Option(False, "--fetch-pages", help="For feeds: fetch each item's page and extract its main text."),
    max_mb: float = typer.Option(None, "--max-mb", help="Skip documents (files, pages, JSONL records) larger than "
                                                         "this (default PERISCOPE_INGEST_MAX_MB, 20)."),
    alias: str = typer.Option(None, "--index", help="Index alias (default PERISCOPE_INDEX_ALIAS)."),
    collection: str = typer.Option(None, "--collection", callback=check_collection,
                                   help="Need-to-know collection of every document (default: one per source)."),
) -> None:
    """Collect, enrich and load documents. Re-running adds nothing; changed documents are updated.

    Exit status 0 when everything was loaded, 1 when some documents failed (see the dead-letter file
    named in the summary), 3 when Elasticsearch stayed unavailable (run again to resume).
    """
    from indexer.sources import FieldMapError, parse_field_map
    from indexer.targets import SOURCE_TYPES, count_files, read_targets

    settings = _settings()
    if source_type not in SOURCE_TYPES:
        console.print(f"[red]error:[/red] --source-type must be one of {', '.join(SOURCE_TYPES)}")
        raise typer.Exit(2)
    try:
        fmap = parse_field_map(field_map)
    except FieldMapError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    limits = source_limits(settings, max_mb)
    items = read_targets(targets, source=source, source_type=source_type, field_map=fmap, fetch_pages=fetch_pages,
                         limits=limits, policy=fetch_policy(settings, limits.max_bytes))
    total = count_files(targets) if source_type != "json" else None
    stats = run_pipeline(settings, items, alias=alias or settings.index_alias,
                         workers=default_workers() if workers is None else workers, batch_size=batch_size,
                         total=total, label="indexing", collection=collection,
                         description="index " + " ".join(targets))
    _exit(stats)


def demo(
    limit: int = typer.Option(DEMO_DEFAULT_LIMIT, "--limit", help="How many Reuters-21578 stories (0 = all 20,841 with text)."),
    workers: int = typer.Option(None, "--workers", help="Enrichment worker processes."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, max=5000),
) -> None:
    """Load the Reuters-21578 demo corpus into the index (idempotent: a second run only checks)."""
    from indexer.sources.reuters import read_reuters, reuters_dir

    settings = _settings()
    data = reuters_dir(settings.cache_dir)
    if not data.is_dir():
        console.print(f"[red]error:[/red] the demo corpus is missing ({data}); run `bash scripts/setup.sh` (or `make setup`).")
        raise typer.Exit(2)
    n = limit or None
    total = n or 20841
    stats = run_pipeline(settings, read_reuters(data, limit=n), alias=settings.index_alias,
                         workers=default_workers() if workers is None else workers, batch_size=batch_size,
                         total=total, label="Reuters-21578", collection=DEMO_COLLECTION)
    from periscope.cli_sources import DEMO_GRADES, after_ingest, load_news_pages  # issue 16: sources + grades

    load_news_pages(settings, batch_size)
    after_ingest(settings, DEMO_GRADES)
    _exit(stats)


def _store(settings: Any, alias: str | None = None) -> Any:
    from indexer.feedstore import FeedStore

    return FeedStore.for_cache(settings.cache_dir, alias or settings.index_alias)


@feeds_app.command("add")
def feeds_add(
    name: str = typer.Argument(..., help="Short name; also the default source name."),
    url: str = typer.Argument(..., help="Feed URL (http/https) or path to a feed file."),
    fetch_pages: bool = typer.Option(False, "--fetch-pages", help="Fetch each item's page and extract its main text."),
    source: str = typer.Option(None, "--source", help="Source name (default: NAME)."),
) -> None:
    """Register a feed (re-adding the same URL keeps its state)."""
    settings = _settings()
    if not url.startswith(("http://", "https://")) and not Path(url).is_file():
        console.print(f"[red]error:[/red] {url!r} is neither an http(s) URL nor an existing file")
        raise typer.Exit(2)
    if not url.startswith(("http://", "https://")):
        url = str(Path(url).resolve())
    feed = _store(settings).add(name, url, fetch_pages=fetch_pages, source=source)
    console.print(f"feed {feed.name} → {feed.url}{' (fetching pages)' if feed.fetch_pages else ''}")


@feeds_app.command("list")
def feeds_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show registered feeds with their last run and how many items were seen."""
    feeds = _store(_settings()).load()
    rows = [{"name": f.name, "url": f.url, "fetch_pages": f.fetch_pages, "last_run": f.last_run, "seen": len(f.seen)}
            for f in feeds.values()]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    if not rows:
        console.print("no feeds yet: periscope feeds add NAME URL")
    for r in rows:
        print(f"{r['name']}\t{r['url']}\tseen={r['seen']}\tlast_run={r['last_run'] or '-'}")


@feeds_app.command("remove")
def feeds_remove(name: str = typer.Argument(...)) -> None:
    """Forget a feed and its state."""
    if not _store(_settings()).remove(name):
        console.print(f"[red]error:[/red] no feed named {name!r}")
        raise typer.Exit(1)


@feeds_app.command("run")
def feeds_run(
    names: list[str] = typer.Argument(None, help="Feeds to run (default: all)."),
    workers: int = typer.Option(None, "--workers"),
    batch_size: int = typer.Option(64, "--batch-size", min=1, max=5000),
) -> None:
    """Ingest the items each feed has that previous runs have not taken."""
    import itertools

    from indexer.feedstore import FeedRun

    settings = _settings()
    store = _store(settings)
    feeds = store.load()
    unknown = [n for n in names or [] if n not in feeds]
    if unknown:
        console.print(f"[red]error:[/red] unknown feed(s): {', '.join(unknown)} (see `periscope feeds list`)")
        raise typer.Exit(2)
    runs = [FeedRun(store, feeds[n], policy=fetch_policy(settings)) for n in (names or list(feeds))]
    if not runs:
        console.print("no feeds registered: periscope feeds add NAME URL")
        return
    items = itertools.chain.from_iterable(r.items() for r in runs)
    stats = run_pipeline(settings, items, alias=settings.index_alias,
                         workers=default_workers() if workers is None else workers, batch_size=batch_size,
                         total=None, label="feeds")
    if not stats.aborted:
        for r in runs:
            r.commit()
    _exit(stats)


def register(app: typer.Typer) -> None:
    """Attach the ingestion commands to the main ``periscope`` CLI."""
    app.command("index")(index)
    app.command("demo")(demo)
    app.add_typer(feeds_app, name="feeds")
    from periscope.cli_runs import failures, runs

    app.command("runs")(runs)
    app.command("failures")(failures)
