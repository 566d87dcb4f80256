"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), started and stopped by the test itself."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received: each mail's raw bytes, and parsed."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler name
        self.raw.append(envelope.content)
        return "250 OK"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw]  # type: ignore[misc]

    def wait(self, timeout: float) -> list[email.message.EmailMessage]:
        """The mails received, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while not self.raw and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.messages


@contextmanager
def local_smtp() -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on a free port of 127.0.0.1, and what it receives; stopped at the end."""
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def run_async(coroutine):  # noqa: ANN001, ANN201 - any coroutine, its result
    """Run a coroutine to its end on a loop of its own in a thread of its own.

    Playwright's sync API keeps an event loop running in the main thread while a browser test's session
    lasts, so `asyncio.run` there would refuse; a thread has no loop of its own yet.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
