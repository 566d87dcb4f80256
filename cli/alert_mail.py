"""The notification block of the failure alert: e-mail through prefect-email's SMTP block.

prefect-email's `EmailServerCredentials` holds the SMTP server and its login but has no `notify`
capability, so an automation's SendNotification cannot use it directly (PrefectHQ/prefect#16881). This
block adds it: the Prefect server loads it through the `prefect.collections` entry point of this
package (pyproject.toml), which is why the server runs from the project's .venv (deploy/README.md).
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from prefect.blocks.abstract import NotificationBlock, NotificationError
from prefect_email import EmailServerCredentials
from pydantic import Field


class CreditAlertMail(NotificationBlock):
    """Mail an alert to the operators through the SMTP server of `credentials`."""

    _block_type_name = "Credit Alert Mail"
    _block_type_slug = "credit-alert-mail"
    _description = "晋城信用评价：运行失败时发给运维人员的邮件（SMTP，prefect-email）。"

    credentials: EmailServerCredentials = Field(description="The SMTP server and its login (prefect-email).")
    sender: str = Field(description="The From address.")
    to: list[str] = Field(description="Who receives the alerts.")

    async def notify(self, body: str, subject: str | None = None) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.to)
        message["Subject"] = subject or "晋城信用评价：运行提醒"
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except (OSError, smtplib.SMTPException) as error:
            if self._raise_on_failure:
                raise NotificationError(log=f"SMTP: {error!r}") from error
            self.logger.error("alert mail not sent: %r", error)

    def _send(self, message: EmailMessage) -> None:
        with self.credentials.get_server() as server:
            server.send_message(message)
