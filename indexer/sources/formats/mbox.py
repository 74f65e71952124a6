"""Mailboxes (.mbox): every message is a document, read one at a time from the file."""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Iterator

from ...models import Failure, Item
from ..base import BadDocument, Format, Input, ReadContext
from .eml import message_to_doc


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
                try:
                    doc = message_to_doc(box[key])
                except BadDocument as exc:
                    yield Failure(origin, exc.reason, exc.detail)
                    continue
                except Exception as exc:  # noqa: BLE001 - one odd message must not end the mailbox
                    yield Failure(origin, "parse-error", f"{type(exc).__name__}: {exc}"[:500])
                    continue
                doc.origin = origin
                if doc.external_id is None:
                    doc.url = f"{inp.url}#{key}"
                doc.meta.update(path=str(path), format=self.name)
                yield doc
        finally:
            box.close()


FORMAT = Mbox()
