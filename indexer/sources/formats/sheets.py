"""Spreadsheets: CSV/TSV, Excel (.xlsx, openpyxl) and OpenDocument (.ods, content.xml): one document
per sheet (rows as " | "-separated lines), or one per row (``Limits.sheet_rows_as_documents``: cells as
"header: value" lines, the first non-empty cell as title)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ...models import Item, SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..encoding import decode_text
from ..ziptext import member, open_zip, parse_xml, row_docs_text, rows_text

MAX_CELLS = 2_000_000  # cells read from one workbook (a sheet can declare a million rows)
_ODS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def sheet_docs(inp: Input, ctx: ReadContext, sheets: list[tuple[str, list[list[str]]]]) -> Iterator[Item]:
    stem = inp.name or (inp.path.stem if inp.path else "")
    for name, rows in sheets:
        if ctx.limits.sheet_rows_as_documents and rows:
            header = [c.strip() for c in rows[0]]
            for n, row in enumerate(rows[1:], 2):
                title = next((c.strip() for c in row if c.strip()), "")
                yield SourceDoc("", "", title[:200], row_docs_text(header, row), origin=f"{inp.origin}#{name}!{n}",
                                meta={"sheet": name, "row": n})
            continue
        title = f"{stem} — {name}" if len(sheets) > 1 else stem
        yield SourceDoc("", "", title, rows_text(rows), meta={"sheet": name, "rows": len(rows)},
                        origin=f"{inp.origin}#{name}" if len(sheets) > 1 else "")


class Csv(Format):
    name = "csv"
    extensions = (".csv", ".tsv")
    mimetypes = ("text/csv", "text/tab-separated-values")
    priority = 20
    expands = True

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        decoded = decode_text(inp.data, inp.charset)
        sample = decoded.text[:20_000]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel_tab if "\t" in sample else csv.excel
        rows = [r for r in csv.reader(io.StringIO(decoded.text), dialect)]
        for doc in sheet_docs(inp, ctx, [("csv", rows)]):
            if isinstance(doc, SourceDoc):
                doc.encoding = decoded.encoding
            yield doc


class Xlsx(Format):
    name = "xlsx"
    extensions = (".xlsx", ".xlsm")
    mimetypes = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
    priority = 80
    zip_container = True
    expands = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") and (ext in self.extensions or b"xl/" in head)

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        import openpyxl

        assert inp.data is not None
        try:
            wb = openpyxl.load_workbook(io.BytesIO(inp.data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken workbook
            raise BadDocument("broken-xlsx", f"{type(exc).__name__}: {exc}") from None
        sheets, cells = [], 0
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise BadDocument("too-large", f"more than {MAX_CELLS} cells")
                rows.append(["" if v is None else str(v) for v in row])
            sheets.append((ws.title, rows))
        wb.close()
        yield from sheet_docs(inp, ctx, sheets)


class Ods(Format):
    """OpenDocument spreadsheets, read from content.xml with lxml (odfpy builds a DOM of the whole
    file in pure Python — far slower — and would be one more dependency for one XML file)."""

    name = "ods"
    extensions = (".ods",)
    mimetypes = ("application/vnd.oasis.opendocument.spreadsheet",)
    priority = 80
    zip_container = True
    expands = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") and b"application/vnd.oasis.opendocument.spreadsheet" in head[:200]

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        root = parse_xml(member(open_zip(inp.data, self.name), "content.xml", self.name, ctx.limits.max_bytes),
                         self.name)
        sheets, cells = [], 0
        for table in root.iter(f"{{{_ODS}}}table"):
            rows = []
            for tr in table.iter(f"{{{_ODS}}}table-row"):
                row = []
                for tc in tr:
                    # repeated empty cells/rows pad sheets to their full width: expand only non-empty ones
                    text = "\n".join("".join(p.itertext()) for p in tc.iter(f"{{{_TXT}}}p"))
                    rep = int(tc.get(f"{{{_ODS}}}number-columns-repeated", "1")) if text else 1
                    row.extend([text] * min(rep, 1000))
                    cells += 1
                if cells > MAX_CELLS:
                    raise BadDocument("too-large", f"more than {MAX_CELLS} cells")
                if any(row):
                    rows.append(row)
            sheets.append((table.get(f"{{{_ODS}}}name", "sheet"), rows))
        yield from sheet_docs(inp, ctx, sheets)


FORMATS = (Csv(), Xlsx(), Ods())
