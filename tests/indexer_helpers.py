"""Test helpers for the indexer tests: tiny PDF/DOCX generators, a loopback HTTP server, a TCP proxy."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import threading
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "indexer"


def make_pdf(path: Path, text_lines: list[str], *, title: str, author: str, date: str = "D:20240312093000Z") -> Path:
    """A minimal, valid one-page PDF with real text and an Info dictionary (title/author/date)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "72 720 Td", "14 TL"]
    for line in text_lines:
        ops.append(f"({esc(line)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({esc(title)}) /Author ({esc(author)}) /CreationDate ({date}) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def make_docx(path: Path, paragraphs: list[str], *, title: str, author: str) -> Path:
    import datetime

    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.core_properties.title = title
    d.core_properties.author = author
    d.core_properties.created = datetime.datetime(2024, 2, 20, 10, 0, 0)
    d.save(str(path))
    return path


def build_tree(dest: Path) -> Path:
    """Copy the fixture tree and add generated binary formats (PDF, DOCX, a PDF named .txt)."""
    tree = dest / "tree"
    shutil.copytree(FIXTURES / "tree", tree)
    make_pdf(tree / "assessment.pdf", [
        "Turkey and Iraq agreed to restart oil flows through the Kirkuk-Ceyhan pipeline,",
        "energy officials in Ankara said, ending a halt that has lasted more than a year.",
    ], title="Kirkuk-Ceyhan pipeline to restart", author="Energy Desk")
    make_pdf(tree / "scan_misnamed.txt", [
        "Indonesia banned exports of raw bauxite to encourage domestic smelting, the mining",
        "ministry in Jakarta said, a policy already applied to nickel ore.",
    ], title="Indonesia bauxite export ban", author="Mining Desk")
    make_docx(tree / "memo.docx", [
        "Morocco signed an agreement with Nigeria to extend the planned West African gas pipeline,",
        "officials in Rabat said, with financing talks to follow in Abuja next month.",
    ], title="Morocco-Nigeria gas pipeline memo", author="Gas Desk")
    return tree


class _Handler(http.server.SimpleHTTPRequestHandler):
    redirects: dict[str, str] = {}

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        target = self.redirects.get(self.path)
        if target is None:
            return super().do_GET()
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalHTTPServer:
    """Serves a folder on a loopback address (an ephemeral port) from a background thread.

    ``redirects`` maps request paths to ``Location`` values answered with a 302.
    """

    def __init__(self, root: Path, *, host: str = "127.0.0.1", redirects: dict[str, str] | None = None) -> None:
        handler_cls = type("Handler", (_Handler,), {"redirects": dict(redirects or {})})
        handler = lambda *a, **kw: handler_cls(*a, directory=str(root), **kw)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer((host, 0), handler)
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TcpProxy:
    """A loopback TCP proxy to Elasticsearch that can be stopped (connections refused) and restarted.

    Lets a test make Elasticsearch "unavailable" without touching the shared node.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(64)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


def shared_enricher():
    """The process-wide loaded ``nlp.Enricher`` (models load once per test session, not per module)."""
    from indexer.enrich import default_factory

    return default_factory()


def install_v2(es, alias: str) -> None:
    """An index of the current contract (v2: the provenance fields of issue 14 included)."""
    from mappings import install

    install(es, alias)


# -- issue 14 formats: real files written with the libraries the formats read them with, or by hand
# where the format is plain zip + XML (OpenDocument, EPUB) -------------------------------------------------
def make_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(str(path))
    return path


def make_pptx(path: Path, slides: list[tuple[str, str]], *, title: str) -> Path:
    from pptx import Presentation

    deck = Presentation()
    for head, text in slides:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = head
        slide.placeholders[1].text = text
    deck.core_properties.title = title
    deck.save(str(path))
    return path


def _zip_with_mimetype(path: Path, mimetype: str, members: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)  # first and stored, as the specs say
        for name, text in members.items():
            zf.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return path


_ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def make_odf(path: Path, kind: str, body_xml: str, *, title: str = "", author: str = "") -> Path:
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NS}><office:body>{body_xml}' \
              f'</office:body></office:document-content>'
    meta = f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NS}><office:meta>' \
           f'<dc:title>{title}</dc:title><meta:initial-creator>{author}</meta:initial-creator>' \
           f'<meta:creation-date>2024-05-02T10:00:00</meta:creation-date></office:meta></office:document-meta>'
    return _zip_with_mimetype(path, f"application/vnd.oasis.opendocument.{kind}",
                              {"content.xml": content, "meta.xml": meta})


def make_epub(path: Path, *, title: str, author: str, chapters: list[str]) -> Path:
    container = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
                 'container"><rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package'
                 '+xml"/></rootfiles></container>')
    items = "".join(f'<item id="c{i}" href="c{i}.xhtml" media-type="application/xhtml+xml"/>' for i in range(len(chapters)))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    opf = (f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata '
           f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>'
           f'</metadata><manifest>{items}</manifest><spine>{spine}</spine></package>')
    members = {"META-INF/container.xml": container, "OEBPS/book.opf": opf}
    for i, text in enumerate(chapters):
        members[f"OEBPS/c{i}.xhtml"] = (f'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                                        f'<title>c{i}</title></head><body><h1>Chapter {i + 1}</h1><p>{text}</p></body></html>')
    return _zip_with_mimetype(path, "application/epub+zip", members)


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")  # Debian fonts-dejavu-core (setup installs it)


def render_page(lines: list[str], *, width: int = 2480, size: int = 42, rotate: int = 0, noise: float = 0.0,
                seed: int = 0):
    """A white page with ``lines`` in a real font at about 300 dpi (42 px ≈ 10 pt), optionally rotated
    and sprinkled with salt-and-pepper noise — what a scanner gives."""
    import random

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(DEJAVU), size)
    height = 200 + int(size * 1.6) * len(lines)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((150, 100 + i * int(size * 1.6)), line, font=font, fill=0)
    if noise:
        rnd = random.Random(seed)
        px = img.load()
        for _ in range(int(width * height * noise)):
            x, y = rnd.randrange(width), rnd.randrange(height)
            px[x, y] = 0 if px[x, y] > 128 else 255
    if rotate:
        img = img.rotate(rotate, expand=True, fillcolor=255)
    return img


@contextlib.contextmanager
def v2_index(es, prefix: str):
    """A fresh index with the v2 additions (and its ingest log/run indices) for one test; removed after."""
    from indexer.deadletter import log_index
    from indexer.runlog import runs_index
    from mappings import drop
    from tests.conftest import unique_alias

    alias = unique_alias(prefix)
    install_v2(es, alias)
    try:
        yield alias
    finally:
        drop(es, alias)
        for index in (log_index(alias), runs_index(alias)):
            es.indices.delete(index=index, ignore_unavailable=True)


def run_v2(es, alias: str, items, work: Path):
    """Run the pipeline in-process (session-loaded models) into ``alias``; refresh; the stats."""
    from indexer.pipeline import Pipeline, PipelineConfig

    cfg = PipelineConfig(alias=alias, workers=0, batch_size=8, dead_letter_dir=work / "dl")
    stats = Pipeline(es, cfg, enricher=shared_enricher()).run(items)
    es.indices.refresh(index=alias)
    return stats
