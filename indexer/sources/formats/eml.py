"""E-mail messages (.eml): subject, sender, date and the plain-text body (HTML parts via trafilatura).

Attachments become documents of their own, linked to the message (``parent``).
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage

from ...models import Failure, Item, SourceDoc
from ..base import BadDocument, Format, Input, ReadContext
from ..dates import parse_date
from ..encoding import decode_text
from .archive import container_id
from .html import html_to_doc

HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:", b"return-path:", b"mime-version:")
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]")


def message_to_doc(msg: EmailMessage) -> SourceDoc:
    """One message as a document; its Message-ID becomes the external id."""
    body, encoding = "", None
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is not None:
        raw = part.get_payload(decode=True) or b""
        # the part's declared charset first (when it decodes cleanly), else detection
        decoded = decode_text(raw, part.get_content_charset())
        content, encoding = decoded.text, decoded.encoding
        if part.get_content_type() == "text/html":
            try:
                content = html_to_doc(content).body
            except BadDocument:
                content = ""
        body = str(content).strip()
    mid = str(msg.get("Message-ID") or "").strip() or None
    return SourceDoc(
        "", "", str(msg.get("Subject") or "").strip(), body, external_id=mid,
        author=str(msg.get("From") or "").strip() or None, published_at=parse_date(msg.get("Date")),
        meta={k: str(msg.get(k)) for k in ("To", "Cc", "Message-ID") if msg.get(k)}, encoding=encoding,
    )


def attachments(msg: EmailMessage, ctx: ReadContext, *, parent: str, origin: str) -> Iterator[Item]:
    """Each attachment as its own document (``parent`` = the message's id), read by the registry;
    at most ``archive_max_members`` per message."""
    for n, part in enumerate(msg.iter_attachments()):
        name = part.get_filename() or f"attachment-{n + 1}"
        where = f"{origin}!/{name}"
        if n >= ctx.limits.archive_max_members:
            yield Failure(where, "too-many-members", f"more than {ctx.limits.archive_max_members} attachments")
            return
        try:
            data = part.get_payload(decode=True) or b""
        except Exception as exc:  # noqa: BLE001 - a broken transfer encoding spoils one attachment only
            yield Failure(where, "broken-email", f"{type(exc).__name__}: {exc}")
            continue
        if isinstance(part.get_payload(), list):  # an attached message (message/rfc822)
            data = part.as_bytes()
        yield from ctx.registry.read_member(data, ctx, origin=where, parent=parent, path=name, name=name)


class Eml(Format):
    name = "eml"
    extensions = (".eml",)
    mimetypes = ("message/rfc822",)
    priority = 60

    def sniff(self, head: bytes, ext: str) -> bool:
        """At least two well-known mail headers at the top, the first line among them."""
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        first = stripped.split(b"\n", 1)[0].lower()
        if not (_HEADER.match(stripped) and first.startswith(HEADERS)):
            return False
        return sum(1 for ln in stripped.split(b"\n", 20) if ln.lower().startswith(HEADERS)) >= 2

    expands = True

    def read(self, inp: Input, ctx: ReadContext) -> Iterator[Item]:
        assert inp.data is not None
        msg = email.message_from_bytes(inp.data, policy=email.policy.default)
        if msg.defects and not msg.keys():
            raise BadDocument("broken-email", "; ".join(type(d).__name__ for d in msg.defects))
        doc = message_to_doc(msg)  # type: ignore[arg-type]
        # the file's URI gives the id; the Message-ID stays searchable as the external id
        yield doc
        if ctx.registry is not None:
            yield from attachments(msg, ctx, parent=container_id(inp, ctx), origin=inp.origin)  # type: ignore[arg-type]


FORMAT = Eml()
