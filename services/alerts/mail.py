"""The e-mail sender: one plain-text message to every configured recipient, with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from services.alerts.message import Alert
from services.alerts.senders import DeliveryError
from services.alerts.targets import EMAIL, AlertTargets, SmtpServer

DEFAULT_FROM = "wenjiao-alerts@localhost"


class EmailSender:
    """Mail the alert through ``WENJIAO_ALERT_SMTP_URL`` (STARTTLS when the server offers it, or
    TLS with ``smtps://``). The Message-ID is the exchange's, so a repeat is one thread."""

    channel = EMAIL

    def __init__(self, targets: AlertTargets, timeout: float) -> None:
        if not targets.smtp_url or not targets.email_to:
            raise ValueError("no mail server or recipients configured")
        self._server = SmtpServer.parse(targets.smtp_url)
        self._to = targets.email_to
        username = self._server.username or ""
        self._from = targets.email_from or (username if "@" in username else DEFAULT_FROM)
        self._timeout = timeout

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail of ``alert``."""
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = self._from
        message["To"] = ", ".join(self._to)
        domain = self._from.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<crisis-{alert.exchange_id}.wenjiao@{domain}>"
        message.set_content(alert.body())
        return message

    async def send(self, alert: Alert) -> None:
        """Hand the message to the SMTP server."""
        server = self._server
        try:
            await aiosmtplib.send(
                self.message(alert), hostname=server.host, port=server.port,
                username=server.username, password=server.password, use_tls=server.tls,
                start_tls=False if server.tls else None, timeout=self._timeout)
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(type(exc).__name__) from None

    async def aclose(self) -> None:
        """Nothing to close: each alert is one SMTP session."""
