"""SMTP delivery of one already-built message (thin adapter around smtplib).

Reads the WILDWATCH_SMTP_* settings; writes to the network only. Errors come back as
``MailError`` carrying whether a retry may help (4xx, connection trouble) or not (5xx on every
recipient), so the outbox can decide between backing off and giving up.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence

from schedules.settings import SmtpSettings, smtp


class MailError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def send_raw(
    raw: bytes,
    recipients: Sequence[str],
    *,
    settings: SmtpSettings | None = None,
) -> None:
    """Hand ``raw`` (a complete RFC 5322 message) to the SMTP server for ``recipients``.
    Returns only when the server accepted it for at least one recipient."""
    settings = settings or smtp()
    try:
        client = _connect(settings)
        try:
            if settings.user:
                client.login(settings.user, settings.password or "")
            refused = client.sendmail(settings.mail_from, list(recipients), raw)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except smtplib.SMTPRecipientsRefused as error:
        codes = {code for code, _ in error.recipients.values()}
        raise MailError(
            f"all recipients refused: {_describe_refusals(error.recipients)}",
            permanent=all(code >= 500 for code in codes),
        ) from None
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            f"SMTP login refused: {error.smtp_code} {_text(error.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as error:
        raise MailError(
            f"SMTP server said {error.smtp_code} {_text(error.smtp_error)}",
            permanent=error.smtp_code >= 500,
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        reason = str(error) or type(error).__name__
        raise MailError(
            f"cannot deliver through {settings.host}:{settings.port}: {reason}"
        ) from None
    if refused:
        # Accepted for some recipients: retrying would duplicate it for the others, so the
        # refusal is reported in the log only (see docs/alerts-and-service.md).
        logging.getLogger(__name__).warning(
            "some recipients refused: %s", _describe_refusals(refused)
        )


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.security == "starttls":
        client.ehlo()
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    return client


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe_refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(
        f"{address} ({code} {_text(text)})" for address, (code, text) in refused.items()
    )
