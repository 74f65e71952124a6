"""Every format plug-in on a real file, through the registry (detection, limits, naming).

Adding a format = one module in ``indexer/sources/formats/`` + one case here (a test fails until then).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.models import Failure, Item, SourceDoc
from indexer.sources import REGISTRY, read_paths
from indexer.sources.base import Format, Input, ReadContext
from indexer.sources.registry import Registry
from tests.indexer_helpers import FIXTURES, make_docx, make_pdf

TREE = FIXTURES / "tree"


def _copy(src: Path) -> Callable[[Path], Path]:
    return lambda d: Path(shutil.copy(src, d))


def _write(name: str, text: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_text(text, encoding="utf-8")
        return d / name
    return make


# format -> (make the fixture in a folder, what the documents must show)
CASES: dict[str, tuple[Callable[[Path], Path], Callable[[list[SourceDoc]], bool]]] = {
    "text": (_write("note.txt", "Grain loads rise\nGdansk handled record grain volumes in May.\n"),
             lambda ds: ds[0].title == "Grain loads rise" and "Gdansk" in ds[0].body),
    "markdown": (_copy(TREE / "briefing.md"),
                 lambda ds: ds[0].title == "Port of Rotterdam reports record container traffic"),
    "html": (_copy(TREE / "report.html"),
             lambda ds: ds[0].author == "Ama Mensah" and "Ashanti" in ds[0].body and "Privacy" not in ds[0].body),
    "pdf": (lambda d: make_pdf(d / "a.pdf", ["Talks on the Kirkuk-Ceyhan pipeline resumed in Ankara."],
                               title="Pipeline talks", author="Energy Desk"),
            lambda ds: ds[0].title == "Pipeline talks" and "Ankara" in ds[0].body and ds[0].meta["pages"] == 1),
    "docx": (lambda d: make_docx(d / "m.docx", ["Officials in Rabat signed the gas deal."], title="Gas deal",
                                 author="Gas Desk"),
             lambda ds: ds[0].title == "Gas deal" and ds[0].author == "Gas Desk" and "Rabat" in ds[0].body),
    "eml": (_copy(TREE / "mail" / "tip.eml"),
            lambda ds: ds[0].title.startswith("Tip: convoy") and "Narva" in ds[0].body and bool(ds[0].external_id)
            and ds[0].url.startswith("file://")),  # Message-ID kept; the file URI gives the id
    "mbox": (_copy(TREE / "mail" / "desk.mbox"),
             lambda ds: len(ds) == 2 and all(d.external_id or "#" in (d.url or "") for d in ds)),
    "json": (_copy(TREE / "exports" / "wire.jsonl"),
             lambda ds: len(ds) == 2 and all(d.source_type == "json" for d in ds)),
    "feed": (_copy(FIXTURES / "feeds" / "feed_v1.xml"),
             lambda ds: [d.title for d in ds][:1] == ["Storm closes Baltic ferry routes"]
             and all(d.source_type == "feed" for d in ds)),
}


def test_every_registered_format_has_a_case() -> None:
    assert {f.name for f in REGISTRY.formats} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_format_reads_a_real_file(name: str, tmp_path: Path) -> None:
    make, check = CASES[name]
    path = make(tmp_path)
    head = path.read_bytes()[:8192]
    assert REGISTRY.detect(head, path).name == name
    docs = [i for i in read_paths([path], source="t") if isinstance(i, SourceDoc)]
    assert docs and check(docs), docs
    fmt = REGISTRY.get(name)
    if not fmt.records:  # the registry names one-document files the same way for every format
        assert docs[0].meta["format"] == name and docs[0].url == path.resolve().as_uri()


def test_archives_are_reported_not_guessed(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("inside.txt", "hello")
    (tmp_path / "bundle.zip").write_bytes(buf.getvalue())
    [out] = list(read_paths([tmp_path / "bundle.zip"], source="t"))
    assert isinstance(out, Failure) and out.reason == "unsupported-format" and "zip archive" in out.detail


def test_limits_are_the_same_for_every_format(tmp_path: Path) -> None:
    """The registry's bounded read refuses an oversize file before any parser sees it, whatever the format."""
    for name in ("text", "html", "pdf", "docx", "eml", "feed"):
        path = CASES[name][0](tmp_path)
        size = path.stat().st_size
        [out] = list(read_paths([path], source="t", max_bytes=size - 1))
        assert isinstance(out, Failure) and out.reason == "too-large", name
        path.unlink()


class _Tsv(Format):
    """A plug-in defined here: tab-separated "title<TAB>body" lines, one document each."""

    name = "tsv"
    extensions = (".tsv",)
    records = True

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        for n, line in enumerate(inp.data.decode().splitlines(), 1):
            title, _, body = line.partition("\t")
            yield SourceDoc("", "", title, body, external_id=str(n), origin=f"{inp.origin}:{n}")


def test_a_new_plugin_is_one_class(tmp_path: Path) -> None:
    reg = Registry([*REGISTRY.formats, _Tsv()])
    (tmp_path / "x.tsv").write_text("Ports\tGdansk volumes rose.\nRail\tFreight fell.\n")
    docs = list(read_paths([tmp_path / "x.tsv"], source="t", registry=reg))
    assert [(d.title, d.body, d.source) for d in docs] == [("Ports", "Gdansk volumes rose.", "t"),
                                                           ("Rail", "Freight fell.", "t")]
    with pytest.raises(ValueError, match="already registered"):
        reg.register(_Tsv())


def test_mbox_message_over_the_limit_is_one_failure(tmp_path: Path) -> None:
    box = tmp_path / "desk.mbox"
    big = "Subject: Big\nFrom: a@example.org\n\n" + "grain " * 20_000
    small = "Subject: Small\nFrom: b@example.org\n\nGdansk volumes rose."
    box.write_text(f"From a@example.org Mon Jan  1 00:00:00 2024\n{big}\n\n"
                   f"From b@example.org Mon Jan  1 00:00:00 2024\n{small}\n")
    out = list(read_paths([box], source="t", max_bytes=50_000))
    assert [(type(o).__name__, getattr(o, "reason", o.title if isinstance(o, SourceDoc) else "")) for o in out] == [
        ("Failure", "record-too-large"), ("SourceDoc", "Small")]
