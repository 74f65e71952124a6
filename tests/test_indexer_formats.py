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
from tests.indexer_helpers import FIXTURES, make_docx, make_epub, make_odf, make_pdf, make_pptx, make_xlsx

TREE = FIXTURES / "tree"


def _copy(src: Path) -> Callable[[Path], Path]:
    return lambda d: Path(shutil.copy(src, d))


def _write(name: str, text: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_text(text, encoding="utf-8")
        return d / name
    return make


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def _tar(path: Path, members: dict[str, str]) -> Path:
    import tarfile

    with tarfile.open(path, "w:gz") as tf:
        for name, text in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    return path


def _png(path: Path) -> Path:
    from tests.indexer_helpers import render_page

    render_page(["Grain loads rise in Gdansk"]).save(path)
    return path


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
             lambda ds: len(ds) == 2 and all(d.external_id or "#" in d.origin for d in ds)),
    "json": (_copy(TREE / "exports" / "wire.jsonl"),
             lambda ds: len(ds) == 2 and all(d.source_type == "json" for d in ds)),
    "csv": (_write("ports.csv", "port;tonnes;month\nGdansk;1200;May\nRotterdam;5400;May\n"),
            lambda ds: "Gdansk | 1200 | May" in ds[0].body and ds[0].title == "ports"),
    "xlsx": (lambda d: make_xlsx(d / "book.xlsx", {"Ports": [["port", "tonnes"], ["Gdansk", 1200]],
                                                   "Rail": [["line", "km"], ["Warsaw-Berlin", 570]]}),
             lambda ds: [d.meta["sheet"] for d in ds] == ["Ports", "Rail"] and "Gdansk | 1200" in ds[0].body
             and "Warsaw-Berlin | 570" in ds[1].body and len({d.origin for d in ds}) == 2),
    "ods": (lambda d: make_odf(d / "book.ods", "spreadsheet",
                               '<office:spreadsheet><table:table table:name="Ports"><table:table-row><table:table-cell>'
                               '<text:p>Gdansk</text:p></table:table-cell><table:table-cell><text:p>1200 tonnes</text:p>'
                               '</table:table-cell></table:table-row></table:table></office:spreadsheet>'),
            lambda ds: "Gdansk | 1200 tonnes" in ds[0].body and ds[0].meta["sheet"] == "Ports"),
    "odt": (lambda d: make_odf(d / "memo.odt", "text", '<office:text><text:h>Grain memo</text:h><text:p>Gdansk '
                               'handled record grain volumes in May.</text:p></office:text>', title="Grain memo",
                               author="Ports Desk"),
            lambda ds: ds[0].title == "Grain memo" and ds[0].author == "Ports Desk" and "Gdansk" in ds[0].body),
    "odp": (lambda d: make_odf(d / "deck.odp", "presentation", '<office:presentation><text:p>Rail freight fell '
                               'across Poland in April.</text:p></office:presentation>', title="Rail deck"),
            lambda ds: ds[0].title == "Rail deck" and "Poland" in ds[0].body),
    "pptx": (lambda d: make_pptx(d / "deck.pptx", [("Baltic shipping", "Ferry routes closed by the storm."),
                                                   ("Outlook", "Services resume on Friday.")], title="Storm briefing"),
             lambda ds: ds[0].title == "Storm briefing" and "Ferry routes" in ds[0].body and ds[0].meta["slides"] == 2),
    "rtf": (_write("note.rtf", r"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard Grain talks\par "
                               r"Ministers met in Ankara to discuss grain corridors.\par}"),
            lambda ds: ds[0].title == "Grain talks" and "Ankara" in ds[0].body and "rtf1" not in ds[0].body),
    "epub": (lambda d: make_epub(d / "book.epub", title="Black Sea Notes", author="A. Writer",
                                 chapters=["Odesa port reopened.", "Grain ships sailed for the Bosporus."]),
             lambda ds: ds[0].title == "Black Sea Notes" and ds[0].author == "A. Writer"
             and ds[0].body.index("Odesa") < ds[0].body.index("Bosporus")),
    "xml": (_write("record.xml", '<?xml version="1.0" encoding="UTF-8"?><report><title>Convoy sighting</title>'
                                 '<where>Narva</where><text>A convoy crossed the border at dawn.</text></report>'),
            lambda ds: ds[0].title == "Convoy sighting" and "Narva" in ds[0].body and "convoy" in ds[0].body),
    "zip": (lambda d: _zip(d / "bundle.zip", {"a/report.txt": "Port report\nGdansk handled record grain volumes.\n"}),
            lambda ds: ds[0].title == "bundle.zip" and ds[1].path == "a/report.txt" and ds[1].parent),
    "tar": (lambda d: _tar(d / "bundle.tar.gz", {"x/rail.txt": "Rail freight\nFreight volumes fell in April.\n"}),
            lambda ds: ds[1].title == "Rail freight" and ds[1].path == "x/rail.txt"),
    "image": (lambda d: _png(d / "scan.png"),
              lambda ds: ds[0].ocr_job is not None and ds[0].ocr_job.kind == "image" and ds[0].meta["width"] > 0),
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
    if not (fmt.records or fmt.expands):  # the registry names one-document files the same way for every format
        assert docs[0].meta["format"] == name and docs[0].url == path.resolve().as_uri()


def test_7z_is_reported_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "bundle.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(range(256)) * 4)
    [out] = list(read_paths([tmp_path / "bundle.7z"], source="t"))
    assert isinstance(out, Failure) and out.reason == "unsupported-format" and "7-zip" in out.detail


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
