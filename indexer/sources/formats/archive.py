"""Archives (zip, tar, tar.gz/.bz2/.xz): the archive is a document listing its members, and every
member is read by the registry as its own document with ``parent`` = the archive's id and ``path`` =
the member's path — recursively, to ``archive_max_depth``.

Bombs: zip directories are checked by the registry before this runs (members, declared total,
per-member ratio); tar streams carry no directory, so members, the running uncompressed total and the
overall ratio are counted while reading, and each member is read with a bounded ``read``. 7z is not
read: py7zr is the only library and it is a one-person project with native deps — ``unsupported-format``.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator

from ...ids import make_id
from ...models import Failure, Item, SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..guards import RATIO_MIN_BYTES

_TAR_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def container_id(inp: Input, ctx: ReadContext) -> str:
    """The id the container document gets (see :func:`indexer.ids.doc_id`): its URL, else its origin."""
    return make_id(ctx.source, url=inp.url, origin=inp.origin)


def listing_doc(inp: Input, names: list[str], kind: str) -> SourceDoc:
    shown = names[:1000]
    more = f"\n… and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    title = inp.name or (inp.path.name if inp.path else "") or kind
    return SourceDoc("", "", title, f"{kind} with {len(names)} files:\n" + "\n".join(shown) + more,
                     meta={"members": len(names)})


class ZipArchive(Format):
    name = "zip"
    extensions = (".zip",)
    mimetypes = ("application/zip", "application/x-zip-compressed")
    priority = 5  # office files and e-books are zips too: their own sniffers win
    zip_container = True
    expands = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        zf = zipfile.ZipFile(io.BytesIO(inp.data))  # the registry's check_zip has vetted the directory
        infos = [i for i in zf.infolist() if not i.is_dir()][: ctx.limits.archive_max_members]
        parent = container_id(inp, ctx)
        yield listing_doc(inp, [i.filename for i in infos], "zip archive")
        for info in infos:
            origin = f"{inp.origin}!/{info.filename}"
            if info.flag_bits & 0x1:
                yield Failure(origin, "encrypted", "the member is password-protected")
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(ctx.limits.max_bytes + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                yield Failure(origin, "broken-zip", f"{type(exc).__name__}: {exc}")
                continue
            yield from ctx.registry.read_member(data, ctx, origin=origin, parent=parent, path=info.filename,
                                                name=info.filename)


class TarArchive(Format):
    name = "tar"
    extensions = (".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".gz", ".bz2", ".xz")
    mimetypes = ("application/x-tar", "application/gzip", "application/x-gzip", "application/x-bzip2",
                 "application/x-xz")
    priority = 5
    expands = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(_TAR_MAGIC) or head[257:262] == b"ustar"

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        lim = ctx.limits
        try:
            tf = tarfile.open(fileobj=io.BytesIO(inp.data), mode="r:*")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BadDocument("broken-archive", f"not a readable tar archive: {type(exc).__name__}: {exc}") from None
        parent = container_id(inp, ctx)
        members: list[tuple[str, bytes]] = []
        total = 0
        try:
            for m in tf:  # streamed: a compressed tar has no directory to check first
                if not m.isfile():
                    continue
                if len(members) >= lim.archive_max_members:
                    raise BadDocument("zip-bomb", f"more than {lim.archive_max_members} members")
                total += m.size
                if total > lim.zip_max_total:
                    raise BadDocument("too-large", f"more than {lim.zip_max_total} bytes uncompressed")
                if total > RATIO_MIN_BYTES and total > lim.zip_max_ratio * max(len(inp.data), 1):
                    raise BadDocument("zip-bomb", f"inflates {len(inp.data)} -> {total}+ bytes "
                                                  f"(ratio > {lim.zip_max_ratio:.0f})")
                fh = tf.extractfile(m)
                members.append((m.name, fh.read(lim.max_bytes + 1) if fh else b""))
        except (tarfile.TarError, EOFError, OSError, zlib_error()) as exc:
            raise BadDocument("broken-archive", f"{type(exc).__name__}: {exc}") from None
        yield listing_doc(inp, [n for n, _ in members], "tar archive")
        for name, data in members:
            yield from ctx.registry.read_member(data, ctx, origin=f"{inp.origin}!/{name}", parent=parent, path=name,
                                                name=name)


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


FORMATS = (ZipArchive(), TarArchive())
