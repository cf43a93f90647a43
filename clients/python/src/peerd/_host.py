"""Host sessions for Python hosts (docs/protocol.md section 6, Host; section 9).

`HostSession` / `AsyncHostSession`: the Attach stream on a connection of its own (a paused
stream holds up the other streams of its connection): hello with the snapshot, events, commands,
results, and a re-attach with a fresh hello after the connection drops.
`UnaryHostSession` / `AsyncUnaryHostSession`: the same over ReportEvents/PollCommands, for hosts
that stay on unary calls; a session that peerd ended (FAILED_PRECONDITION) is re-opened.

The hello is a HostHello or a function that returns one: a re-attach asks it again, so the
snapshot (connections, identified peers) is the host's state at that moment.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, TypeVar

from peerd._async import AsyncClient
from peerd._calls import AsyncBidiStream, BidiStream
from peerd._gen.waku.peermanager.v1 import peermanager_pb2 as pm
from peerd._status import PeerdError, StatusCode
from peerd._sync import Client

_T = TypeVar("_T")
HelloSource = pm.HostHello | Callable[[], pm.HostHello]


def _hello(source: HelloSource, take_over: bool) -> pm.HostEvent:
    hello = pm.HostHello()
    hello.CopyFrom(source() if callable(source) else source)
    if take_over:
        hello.take_over = True
    return pm.HostEvent(hello=hello)


def result_event(command_id: int, **outcome: Any) -> pm.HostEvent:
    """A command_result event: outcome is one of succeeded=True, failed="reason", timed_out=True,
    metadata=MetadataInfo(...), metadata_failed="reason"."""
    return pm.HostEvent(command_result=pm.CommandResult(command_id=command_id, **outcome))


# The stream ended because the connection did: worth a re-attach. Anything else (refused hello,
# replaced by another host, a full command queue) is peerd's verdict and is raised.
_DROPPED = (StatusCode.UNAVAILABLE,)


class HostSession:
    """A host attached with the Attach stream, blocking. Use it as a context manager:

        with peerd.HostSession(hello, path) as session:
            for command in session.commands():
                ...  # carry it out, then session.report(result_event(command.command_id, succeeded=True))
    """

    def __init__(
        self,
        hello: HelloSource,
        path: str | None = None,
        *,
        reattach: bool = True,
        reattach_timeout: float = 30.0,
        reattach_delay: float = 0.1,
    ) -> None:
        self._hello = hello
        self.path = path
        self.reattach = reattach
        self.reattach_timeout = reattach_timeout
        self.reattach_delay = reattach_delay
        self.attachments = 0
        self._client: Client | None = None
        self._stream: BidiStream[pm.HostEvent, pm.HostCommand] | None = None

    def __enter__(self) -> HostSession:
        self.attach()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def attach(self, take_over: bool = False) -> None:
        """Opens a connection and the Attach stream, and sends the hello."""
        self._drop()
        client = Client(self.path, timeout=None)
        try:
            stream = client.host.attach()
            stream.send(_hello(self._hello, take_over))
        except BaseException:
            client.close()
            raise
        self._client, self._stream = client, stream
        self.attachments += 1

    def _reattach(self) -> None:
        deadline = time.monotonic() + self.reattach_timeout
        while True:
            try:
                self.attach(take_over=True)
                return
            except PeerdError as error:
                if error.code != StatusCode.UNAVAILABLE or time.monotonic() >= deadline:
                    raise
            time.sleep(self.reattach_delay)

    def report(self, *events: pm.HostEvent) -> None:
        """Sends events (connection_opened, identified, command_result, ...) in order."""
        stream = self._require()
        for event in events:
            stream.send(event)

    def receive(self, timeout: float | None = None) -> pm.HostCommand | None:
        """The next command, None when none came within `timeout`. A dropped connection is
        re-attached (with `reattach`); any other end of the stream raises PeerdError."""
        while True:
            stream = self._require()
            try:
                command = stream.receive(timeout)
            except PeerdError as error:
                if error.code in _DROPPED and self.reattach:
                    self._reattach()
                    continue
                raise
            if command is None and stream.code is not None:
                raise PeerdError(StatusCode.ABORTED, "peerd ended the Attach stream")
            return command

    def commands(self) -> Iterator[pm.HostCommand]:
        """Every command, re-attaching after a drop; ends when close() is called."""
        while self._stream is not None:
            command = self.receive(None)
            if command is not None:
                yield command

    def close(self) -> None:
        """Detaches: `remote closed` on the stream, peerd's OK awaited, the connection closed."""
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close_send()
                for _ in stream:
                    pass
            except PeerdError:
                pass
        self._drop()

    def _require(self) -> BidiStream[pm.HostEvent, pm.HostCommand]:
        if self._stream is None:
            raise PeerdError(StatusCode.FAILED_PRECONDITION, "the session is not attached")
        return self._stream

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


class AsyncHostSession:
    """HostSession for asyncio: `async with`, `await session.report(...)`,
    `async for command in session.commands()`."""

    def __init__(
        self,
        hello: HelloSource,
        path: str | None = None,
        *,
        reattach: bool = True,
        reattach_timeout: float = 30.0,
        reattach_delay: float = 0.1,
    ) -> None:
        self._hello = hello
        self.path = path
        self.reattach = reattach
        self.reattach_timeout = reattach_timeout
        self.reattach_delay = reattach_delay
        self.attachments = 0
        self._client: AsyncClient | None = None
        self._stream: AsyncBidiStream[pm.HostEvent, pm.HostCommand] | None = None

    async def __aenter__(self) -> AsyncHostSession:
        await self.attach()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def attach(self, take_over: bool = False) -> None:
        await self._drop()
        client = await AsyncClient.connect(self.path, timeout=None)
        try:
            stream = client.host.attach()
            await stream.send(_hello(self._hello, take_over))
        except BaseException:
            await client.close()
            raise
        self._client, self._stream = client, stream
        self.attachments += 1

    async def _reattach(self) -> None:
        deadline = time.monotonic() + self.reattach_timeout
        while True:
            try:
                await self.attach(take_over=True)
                return
            except PeerdError as error:
                if error.code != StatusCode.UNAVAILABLE or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(self.reattach_delay)

    async def report(self, *events: pm.HostEvent) -> None:
        stream = self._require()
        for event in events:
            await stream.send(event)

    async def receive(self, timeout: float | None = None) -> pm.HostCommand | None:
        while True:
            stream = self._require()
            try:
                command = await stream.receive(timeout)
            except PeerdError as error:
                if error.code in _DROPPED and self.reattach:
                    await self._reattach()
                    continue
                raise
            if command is None and stream.code is not None:
                raise PeerdError(StatusCode.ABORTED, "peerd ended the Attach stream")
            return command

    async def commands(self) -> AsyncIterator[pm.HostCommand]:
        while self._stream is not None:
            command = await self.receive(None)
            if command is not None:
                yield command

    async def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close_send()
                async for _ in stream:
                    pass
            except PeerdError:
                pass
        await self._drop()

    def _require(self) -> AsyncBidiStream[pm.HostEvent, pm.HostCommand]:
        if self._stream is None:
            raise PeerdError(StatusCode.FAILED_PRECONDITION, "the session is not attached")
        return self._stream

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()


class UnaryHostSession:
    """A host session over the unary fallback (ReportEvents + PollCommands) on a Client. A
    session peerd ended (timed out, replaced: FAILED_PRECONDITION) is re-opened with a fresh hello
    when `reattach` is set."""

    def __init__(self, client: Client, hello: HelloSource, *, reattach: bool = True) -> None:
        self.client = client
        self._hello = hello
        self.reattach = reattach
        self.session_id = 0
        self.session_timeout_ms = 0

    def open(self, take_over: bool = False) -> pm.ReportEventsResponse:
        """Sends the hello; the reply carries the session id."""
        reply = self.client.host.report_events(session_id=0, events=[_hello(self._hello, take_over)])
        self.session_id, self.session_timeout_ms = reply.session_id, reply.session_timeout_ms
        return reply

    def report(self, *events: pm.HostEvent) -> pm.ReportEventsResponse:
        return self._retry(lambda: self.client.host.report_events(session_id=self.session_id, events=events))

    def poll(self, max_commands: int = 0, wait: float = 0.0) -> list[pm.HostCommand]:
        """Commands queued for the host, waiting up to `wait` seconds for the first one."""
        reply = self._retry(
            lambda: self.client.host.poll_commands(
                session_id=self.session_id,
                max_commands=max_commands,
                wait_ms=int(wait * 1000),
                timeout=None if self.client.timeout is None else self.client.timeout + wait,
            )
        )
        return list(reply.commands)

    def _retry(self, call: Callable[[], _T]) -> _T:
        if self.session_id == 0:
            self.open()
        try:
            return call()
        except PeerdError as error:
            if error.code != StatusCode.FAILED_PRECONDITION or not self.reattach:
                raise
        self.open(take_over=True)
        return call()


class AsyncUnaryHostSession:
    """UnaryHostSession for asyncio, on an AsyncClient."""

    def __init__(self, client: AsyncClient, hello: HelloSource, *, reattach: bool = True) -> None:
        self.client = client
        self._hello = hello
        self.reattach = reattach
        self.session_id = 0
        self.session_timeout_ms = 0

    async def open(self, take_over: bool = False) -> pm.ReportEventsResponse:
        reply = await self.client.host.report_events(session_id=0, events=[_hello(self._hello, take_over)])
        self.session_id, self.session_timeout_ms = reply.session_id, reply.session_timeout_ms
        return reply

    async def report(self, *events: pm.HostEvent) -> pm.ReportEventsResponse:
        if self.session_id == 0:
            await self.open()
        try:
            return await self.client.host.report_events(session_id=self.session_id, events=events)
        except PeerdError as error:
            if error.code != StatusCode.FAILED_PRECONDITION or not self.reattach:
                raise
        await self.open(take_over=True)
        return await self.client.host.report_events(session_id=self.session_id, events=events)

    async def poll(self, max_commands: int = 0, wait: float = 0.0) -> list[pm.HostCommand]:
        if self.session_id == 0:
            await self.open()
        timeout = None if self.client.timeout is None else self.client.timeout + wait
        arguments: dict[str, Any] = {"max_commands": max_commands, "wait_ms": int(wait * 1000), "timeout": timeout}
        try:
            reply = await self.client.host.poll_commands(session_id=self.session_id, **arguments)
        except PeerdError as error:
            if error.code != StatusCode.FAILED_PRECONDITION or not self.reattach:
                raise
            await self.open(take_over=True)
            reply = await self.client.host.poll_commands(session_id=self.session_id, **arguments)
        return list(reply.commands)

