"""The asyncio driver: `AsyncClient`, one connection shared by any number of tasks.

An asyncio.Protocol feeds the bytes it reads to the sans-I/O Connection and resolves each
stream's future or wakes its reader. A cancelled task (or a passed deadline) sends the Cancel
frame before CancelledError (or DEADLINE_EXCEEDED) propagates.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Generic

from peerd import _methods
from peerd._calls import DEFAULT, MethodInfo, Req, Resp, Timeout, timeout_nanos
from peerd._paths import default_socket_path
from peerd._protocol import (
    DEFAULT_MAX_CONCURRENT_CALLS,
    DEFAULT_MAX_FRAME_SIZE,
    DEFAULT_MAX_QUEUED_MESSAGES,
    REMOTE_CLOSED,
    REMOTE_OPEN,
    Connection,
    MessageReceived,
    ProtocolError,
    StreamEnded,
)
from peerd._status import PeerdError, StatusCode


class _Call:
    __slots__ = ("stream_id", "messages", "ended", "waiter", "timer")

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.messages: deque[bytes] = deque()
        self.ended: StreamEnded | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class _Protocol(asyncio.Protocol):
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def data_received(self, data: bytes) -> None:
        self._client._received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._client._lost(f"connection lost: {exc}" if exc else "peerd closed the connection")

    def pause_writing(self) -> None:
        self._client._writable.clear()

    def resume_writing(self) -> None:
        self._client._writable.set()


class AsyncClient:
    """The asyncio peerd client, with the same methods and names as `Client` (awaitable unary
    calls; streams as async iterators). Create it with `await AsyncClient.connect(path)` or
    `async with AsyncClient(path) as client:`. A stream with more than `max_queued_messages`
    messages not yet taken by its reader is cancelled (RESOURCE_EXHAUSTED after the queued ones).
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        timeout: float | None = 30.0,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_queued_messages: int = DEFAULT_MAX_QUEUED_MESSAGES,
        max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS,
    ) -> None:
        if max_concurrent_calls < 1:
            raise ValueError("max_concurrent_calls must be at least 1")
        self.path = path or default_socket_path()
        self.timeout = timeout
        self.max_queued_messages = max_queued_messages
        # Unary calls beyond peerd's stream limit wait here for a slot (see _protocol).
        self._call_slots = asyncio.Semaphore(max_concurrent_calls)
        self._connection = Connection(max_frame_size)
        self._calls: dict[int, _Call] = {}
        self._transport: asyncio.Transport | None = None
        self._broken: str | None = "not connected"
        self._writable = asyncio.Event()
        self._writable.set()
        self.health = _methods.AsyncHealth(self)
        self.host = _methods.AsyncHost(self)
        self.peer_manager = _methods.AsyncPeerManager(self)

    @classmethod
    async def connect(
        cls,
        path: str | None = None,
        *,
        timeout: float | None = 30.0,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        max_queued_messages: int = DEFAULT_MAX_QUEUED_MESSAGES,
        max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS,
    ) -> AsyncClient:
        client = cls(
            path,
            timeout=timeout,
            max_frame_size=max_frame_size,
            max_queued_messages=max_queued_messages,
            max_concurrent_calls=max_concurrent_calls,
        )
        await client.open()
        return client

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_unix_connection(lambda: _Protocol(self), self.path)
        except OSError as error:
            raise PeerdError(StatusCode.UNAVAILABLE, f"cannot connect to {self.path}: {error}") from error
        self._transport = transport
        self._broken = None

    async def __aenter__(self) -> AsyncClient:
        if self._transport is None:
            await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the connection; peerd cancels every stream still open on it."""
        if self._broken is None:
            self._lost("the client closed the connection")
        if self._transport is not None:
            self._transport.close()
            await asyncio.sleep(0)

    # ---- the channel the generated methods call

    def _seconds(self, timeout: Timeout, default: float | None) -> float | None:
        seconds = default if timeout is DEFAULT else timeout
        return None if seconds is None else float(seconds)

    async def unary(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> Resp:
        seconds = self._seconds(timeout, self.timeout)
        if seconds is None:
            await self._call_slots.acquire()
        else:
            started = time.monotonic()
            try:
                await asyncio.wait_for(self._call_slots.acquire(), seconds)
            except asyncio.TimeoutError:
                raise PeerdError(
                    StatusCode.DEADLINE_EXCEEDED, "deadline exceeded waiting for a free stream (client)"
                ) from None
            seconds = max(seconds - (time.monotonic() - started), 1e-9)
        try:
            call = self._start(info.prefix, request.SerializeToString(), seconds, 0)
            waiter = call.waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            except BaseException:
                self._cancel(call, "cancelled by the client")
                raise
        finally:
            self._call_slots.release()
        ended = call.ended
        assert ended is not None
        if ended.code != StatusCode.OK:
            raise PeerdError(ended.code, ended.message)
        return info.response_type.FromString(ended.payload)

    def server_streaming(
        self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout
    ) -> _AsyncResponseStream[Resp]:
        seconds = self._seconds(timeout, None)
        call = self._start(info.prefix, request.SerializeToString(), seconds, REMOTE_CLOSED)
        return _AsyncResponseStream(self, call, info.response_type)

    def bidi_streaming(self, info: MethodInfo[Req, Resp], timeout: Timeout) -> _AsyncBidiStream[Req, Resp]:
        seconds = self._seconds(timeout, None)
        call = self._start(info.prefix, b"", seconds, REMOTE_OPEN)
        return _AsyncBidiStream(self, call, info.response_type)

    # ---- streams and the transport

    def _check(self) -> asyncio.Transport:
        if self._broken is not None or self._transport is None:
            raise PeerdError(StatusCode.UNAVAILABLE, self._broken or "not connected")
        return self._transport

    def _start(self, prefix: bytes, payload: bytes, seconds: float | None, flags: int) -> _Call:
        transport = self._check()
        stream_id, frame = self._connection.start_call(prefix, payload, timeout_nanos(seconds), flags)
        call = _Call(stream_id)
        self._calls[stream_id] = call
        transport.write(frame)
        if seconds is not None:
            call.timer = asyncio.get_running_loop().call_later(seconds, self._expire, call)
        return call

    def _expire(self, call: _Call) -> None:
        """The client's own timer: Cancel sent, the call ends DEADLINE_EXCEEDED."""
        if call.ended is None:
            self._cancel(call, "deadline exceeded")
            call.ended = StreamEnded(call.stream_id, StatusCode.DEADLINE_EXCEEDED, "deadline exceeded (client)", b"")
            call.wake()

    def _cancel(self, call: _Call, reason: str) -> None:
        if call.timer is not None:
            call.timer.cancel()
        if call.ended is not None or self._broken is not None or self._transport is None:
            return
        frame = self._connection.cancel(call.stream_id, reason)
        self._connection.forget(call.stream_id)
        self._calls.pop(call.stream_id, None)
        call.ended = StreamEnded(call.stream_id, StatusCode.CANCELLED, reason or "cancelled by the client", b"")
        call.wake()
        self._transport.write(frame)

    async def _write(self, frame: bytes) -> None:
        if frame:
            self._check().write(frame)
            if not self._writable.is_set():
                await self._writable.wait()

    def _deliver(self, event: MessageReceived | StreamEnded) -> None:
        call = self._calls.get(event.stream_id)
        if call is None:
            return
        if isinstance(event, MessageReceived):
            call.messages.append(event.payload)
            if len(call.messages) > self.max_queued_messages:
                self._cancel(call, "client queue full")
                message = f"more than {self.max_queued_messages} messages not read: the client cancelled the stream"
                call.ended = StreamEnded(call.stream_id, StatusCode.RESOURCE_EXHAUSTED, message, b"")
                return
        else:
            call.ended = event
            del self._calls[event.stream_id]
            if call.timer is not None:
                call.timer.cancel()
        call.wake()

    def _received(self, data: bytes) -> None:
        try:
            events = self._connection.receive(data)
        except ProtocolError as problem:
            self._lost(f"protocol error from peerd: {problem}")
            if self._transport is not None:
                self._transport.close()
            return
        for event in events:
            self._deliver(event)

    def _lost(self, message: str) -> None:
        if self._broken is not None:
            return
        self._broken = message
        self._writable.set()
        for event in self._connection.fail_all(message):
            self._deliver(event)


class _AsyncResponseStream(Generic[Resp]):
    """A server stream of the asyncio client (see peerd.AsyncResponseStream)."""

    def __init__(self, client: AsyncClient, call: _Call, response_type: type[Resp]) -> None:
        self._client = client
        self._call = call
        self._response_type = response_type
        self.code: StatusCode | None = None

    def __aiter__(self) -> AsyncIterator[Resp]:
        return self

    async def _wait(self, deadline: float | None) -> bool:
        """Waits for a message or the end; False when the deadline passed first."""
        call = self._call
        while not call.messages and call.ended is None:
            call.waiter = asyncio.get_running_loop().create_future()
            try:
                if deadline is None:
                    await call.waiter
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    await asyncio.wait([call.waiter], timeout=remaining)
            except BaseException:
                self._client._cancel(call, "cancelled by the client")
                raise
        return True

    def _take(self) -> Resp | None:
        call = self._call
        if call.messages:
            return self._response_type.FromString(call.messages.popleft())
        ended = call.ended
        assert ended is not None
        self.code = ended.code
        if ended.code != StatusCode.OK:
            raise PeerdError(ended.code, ended.message)
        return None

    async def __anext__(self) -> Resp:
        await self._wait(None)
        message = self._take()
        if message is None:
            raise StopAsyncIteration
        return message

    async def receive(self, timeout: float | None = None) -> Resp | None:
        """The next message, waiting at most `timeout` seconds; None when none came in time or the
        stream ended OK (then `code` is set). A status other than OK raises PeerdError."""
        if not await self._wait(None if timeout is None else time.monotonic() + timeout):
            return None
        return self._take()

    def cancel(self, reason: str = "") -> None:
        """Sends the Cancel frame (when the stream is still open); iteration then ends CANCELLED."""
        self._client._cancel(self._call, reason)

    async def __aenter__(self) -> _AsyncResponseStream[Resp]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cancel("closed by the client")


class _AsyncBidiStream(_AsyncResponseStream[Resp], Generic[Req, Resp]):
    """A bidirectional stream of the asyncio client (see peerd.AsyncBidiStream)."""

    async def send(self, message: Req) -> None:
        await self._client._write(self._client._connection.send_message(self._call.stream_id, message.SerializeToString()))

    def close_send(self) -> None:
        frame = self._client._connection.close_send(self._call.stream_id)
        if frame:
            self._client._check().write(frame)

    async def __aenter__(self) -> _AsyncBidiStream[Req, Resp]:
        return self
