"""Mail: written to the outbox with the change that causes it, sent by the background
worker, retried while the mail server is away — nothing is lost.

``IDP_SMTP_URL`` names the server (``smtp://user:password@host:587?starttls=1``,
``smtps://host:465``). Without one, messages stay in the outbox.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import MailMessage, utcnow
from .retry import pause_after

log = logging.getLogger(__name__)

BATCH = 50


TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
# Plain-text mail: nothing to escape (and escaping would garble the links).
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # noqa: S701
    keep_trailing_newline=True,
)


REDACTED = "********"


def send_later(db: Session, *, to: str, kind: str, **params: object) -> MailMessage:
    """Queue the ``templates/mail/<kind>.txt`` message (first line: the subject)."""
    subject, _, body = _environment.get_template(f"{kind}.txt").render(**params).partition("\n")
    message = MailMessage(to=to, subject=subject, body=body, kind=kind)
    db.add(message)
    return message


class SmtpSender:
    def __init__(self, url: str, mail_from: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("IDP_SMTP_URL must look like smtp://host:port or smtps://host:port")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.mail_from = mail_from
        self.timeout = timeout

    def __call__(self, message: MailMessage) -> None:
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="onedoor")
        email.set_content(message.body)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(email)


def due_messages(db: Session) -> list[MailMessage]:
    return list(
        db.scalars(
            select(MailMessage)
            .where(MailMessage.sent_at.is_(None), MailMessage.next_attempt_at <= utcnow())
            .order_by(MailMessage.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )


def deliver(db: Session, sender: SmtpSender, retry_base_seconds: int) -> tuple[int, int]:
    """Send every due message once; returns (sent, failed)."""
    sent = failed = 0
    for message in due_messages(db):
        message.attempts += 1
        try:
            sender(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            message.next_attempt_at = utcnow() + pause_after(message.attempts, retry_base_seconds)
            log.info(
                "mail %d to the mail server failed (attempt %d): %s",
                message.id,
                message.attempts,
                message.last_error,
            )
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = ""
            for word in message.redact:
                message.body = message.body.replace(word, REDACTED)
            message.redact = []
            sent += 1
    return sent, failed


def outbox(db: Session, limit: int = 100) -> list[MailMessage]:
    return list(db.scalars(select(MailMessage).order_by(MailMessage.id.desc()).limit(limit)))
