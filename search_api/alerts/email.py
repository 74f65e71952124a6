"""E-mail channel: one digest per alert and pass (titles, snippets, links), sent through SMTP.

The standard library's smtplib is enough (plain, STARTTLS or implicit TLS, optional login); it is
blocking, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import html
import re
import smtplib
import ssl
from email.message import EmailMessage

from workspace.alerts import Match

from .config import AlertConfig

_TAGS = re.compile(r"</?mark>")


def plain(snippet: str) -> str:
    """The API's snippet (HTML-escaped, with <mark>) as plain text."""
    return html.unescape(_TAGS.sub("", snippet))


def digest(cfg: AlertConfig, to: str, search_name: str, search_link: str, items: list[Match], links: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"[Periscope] {len(items)} new match{'es' if len(items) != 1 else ''} for “{search_name}”"
    msg["From"] = cfg.smtp_from
    msg["To"] = to
    lines = [f"New documents for the saved search “{search_name}” ({search_link}):", ""]
    parts = [f"<p>New documents for the saved search <a href=\"{html.escape(search_link)}\">{html.escape(search_name)}</a>:</p><ul>"]
    for m, link in zip(items, links, strict=True):
        title = m.title or m.doc_id
        lines += [f"* {title}", f"  {plain(m.snippet)}", f"  {link}", ""]
        parts.append(f"<li><a href=\"{html.escape(link)}\">{html.escape(title)}</a><br>{m.snippet}</li>")
    msg.set_content("\n".join(lines))
    msg.add_alternative("".join(parts) + "</ul>", subtype="html")
    return msg


def _send(cfg: AlertConfig, msg: EmailMessage) -> None:
    context = ssl.create_default_context()
    if cfg.smtp_tls == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=30, context=context)
    else:
        server = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=30)
    with server:
        if cfg.smtp_tls == "starttls":
            server.starttls(context=context)
        if cfg.smtp_user:
            server.login(cfg.smtp_user, cfg.smtp_password)
        server.send_message(msg)


async def send(cfg: AlertConfig, msg: EmailMessage) -> None:
    if not cfg.smtp_host:
        raise smtplib.SMTPException("no SMTP server configured (PERISCOPE_ALERTS_SMTP_HOST)")
    await asyncio.to_thread(_send, cfg, msg)
