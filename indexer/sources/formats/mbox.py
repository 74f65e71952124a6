"""Mailboxes (.mbox): every message is a document, read one at a time from the file."""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Iterator

from ...models import Failure, Item
from ..base import BadDocument, Format, Input, ReadContext
from ...ids import doc_id
from .eml import attachments, message_to_doc


class Mbox(Format):
    name = "mbox"
    extensions = (".mbox",)
    mimetypes = ("application/mbox",)
    priority = 70
    streaming = True  # mailbox reads the file itself; each message is checked against max_bytes
    records = True

    def sniff(self, head: bytes, ext: str) -> bool:
        return head.startswith(b"From ") and b"\n" in head

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        if inp.path is None:
            raise BadDocument("unsupported-format", "mailboxes are read from files only")
        path = inp.path
        box = mailbox.mbox(str(path), create=False,
                           factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default))
        try:
            for key in box.iterkeys():
                origin = f"{path}#{key}"
                size = _message_size(box, key)
                if size is not None and size > ctx.limits.max_bytes:  # checked before the message is read
                    yield Failure(origin, "record-too-large", f"message of {size} bytes > limit {ctx.limits.max_bytes}")
                    continue
                try:
                    doc = message_to_doc(box[key])
                except BadDocument as exc:
                    yield Failure(origin, exc.reason, exc.detail)
                    continue
                except Exception as exc:  # noqa: BLE001 - one odd message must not end the mailbox
                    yield Failure(origin, "parse-error", f"{type(exc).__name__}: {exc}"[:500])
                    continue
                doc.origin = origin
                # no Message-ID: the origin (path#key) gives the id — a "#key" URL would not, since
                # canonical URLs drop fragments and every message would share the mailbox's id
                doc.meta.update(path=str(path), format=self.name)
                yield doc
                if ctx.registry is not None:
                    doc.source = doc.source or ctx.source
                    yield from attachments(box[key], ctx, parent=doc_id(doc), origin=origin)
        finally:
            box.close()


def _message_size(box: mailbox.mbox, key: str) -> int | None:
    """Bytes of one message from the mailbox's table of contents (offsets found while scanning for
    "From " lines) — ``_toc`` is private to :mod:`mailbox`, so its absence just skips the check."""
    toc = getattr(box, "_toc", None)
    span = toc.get(key) if isinstance(toc, dict) else None
    return span[1] - span[0] if span else None


FORMAT = Mbox()
