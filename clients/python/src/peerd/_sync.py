"""The blocking driver: `Client`, one connection shared by any number of threads.

There is no reader thread. A thread waiting for its stream reads the socket itself when no other
thread is reading (leader/follower), dispatches what it read to every stream and wakes the
others; so a lone caller pays no thread switch. Writes are serialized by a lock that also orders
stream ids on the wire. A wait interrupted by a timeout or an exception (KeyboardInterrupt) sends
the Cancel frame before it raises.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
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

_READ_SIZE = 256 * 1024
_Predicate = Callable[[], bool]
_FrameMaker = Callable[[Connection], bytes]


class _Call:
    """What a waiting thread sees of its stream."""

    __slots__ = ("stream_id", "messages", "ended")

    def __init__(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.messages: deque[bytes] = deque()
        self.ended: StreamEnded | None = None


class Client:
    """A blocking peerd client: `client.peer_manager`, `client.host` and `client.health` have one
    method per rpc. Thread-safe: threads may share a Client and have calls in flight at once.

    `timeout` is the default deadline of unary calls in seconds (None: no deadline); streams have
    none unless given one. A stream with more than `max_queued_messages` messages read from the
    socket but not yet taken by its reader is cancelled (RESOURCE_EXHAUSTED after the queued
    ones): memory stays bounded when a Watch is left unread while other calls go on.
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
        # Unary calls beyond peerd's stream limit wait here for a slot (see _protocol).
        self._call_slots = threading.BoundedSemaphore(max_concurrent_calls)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.connect(self.path)
        except OSError as error:
            self._socket.close()
            raise PeerdError(StatusCode.UNAVAILABLE, f"cannot connect to {self.path}: {error}") from error
        self._connection = Connection(max_frame_size)
        self.max_queued_messages = max_queued_messages
        self._overflowed: list[bytes] = []  # Cancel frames to send once the lock is released
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self._reading = False
        self._calls: dict[int, _Call] = {}
        self._broken: str | None = None
        self._poller = select.poll()
        self._poller.register(self._socket, select.POLLIN)
        self.health = _methods.Health(self)
        self.host = _methods.Host(self)
        self.peer_manager = _methods.PeerManager(self)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; peerd cancels every stream still open on it."""
        with self._lock:
            if self._broken is None:
                self._fail("the client closed the connection")
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()

    # ---- the channel the generated methods call

    def _deadline(self, timeout: Timeout, default: float | None) -> float | None:
        seconds = default if timeout is DEFAULT else timeout
        return None if seconds is None else time.monotonic() + float(seconds)

    def unary(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> Resp:
        deadline = self._deadline(timeout, self.timeout)
        wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        if not self._call_slots.acquire(timeout=wait):
            raise PeerdError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded waiting for a free stream (client)")
        try:
            call = self._start(info.prefix, request.SerializeToString(), deadline, 0)
            ended = self._wait(call, deadline, lambda: call.ended is not None)
        finally:
            self._call_slots.release()
        assert ended is not None
        if ended.code != StatusCode.OK:
            raise PeerdError(ended.code, ended.message)
        return info.response_type.FromString(ended.payload)

    def server_streaming(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> _ResponseStream[Resp]:
        deadline = self._deadline(timeout, None)
        call = self._start(info.prefix, request.SerializeToString(), deadline, REMOTE_CLOSED)
        return _ResponseStream(self, call, info.response_type, deadline)

    def bidi_streaming(self, info: MethodInfo[Req, Resp], timeout: Timeout) -> _BidiStream[Req, Resp]:
        deadline = self._deadline(timeout, None)
        call = self._start(info.prefix, b"", deadline, REMOTE_OPEN)
        return _BidiStream(self, call, info.response_type, deadline)

    # ---- streams and the socket

    def _start(self, prefix: bytes, payload: bytes, deadline: float | None, flags: int) -> _Call:
        nanos = 0 if deadline is None else timeout_nanos(max(deadline - time.monotonic(), 1e-9))
        with self._write_lock:
            with self._lock:
                if self._broken is not None:
                    raise PeerdError(StatusCode.UNAVAILABLE, self._broken)
                stream_id, frame = self._connection.start_call(prefix, payload, nanos, flags)
                call = _Call(stream_id)
                self._calls[stream_id] = call
            self._send(frame)
        return call

    def _send(self, frame: bytes) -> None:
        """Writes a frame; the caller holds the write lock."""
        if not frame:
            return
        try:
            self._socket.sendall(frame)
        except OSError as error:
            with self._lock:
                self._fail(f"connection lost: {error}")
            raise PeerdError(StatusCode.UNAVAILABLE, f"connection lost: {error}") from error

    def _write(self, make_frame: _FrameMaker) -> None:
        with self._write_lock:
            with self._lock:
                if self._broken is not None:
                    raise PeerdError(StatusCode.UNAVAILABLE, self._broken)
                frame = make_frame(self._connection)
            self._send(frame)

    def _cancel(self, call: _Call, reason: str) -> None:
        """Sends Cancel for a stream that has not ended and stops waiting for it."""
        with self._lock:
            if call.ended is not None or self._broken is not None:
                return
            frame = self._connection.cancel(call.stream_id, reason)
            self._connection.forget(call.stream_id)
            self._calls.pop(call.stream_id, None)
            call.ended = StreamEnded(call.stream_id, StatusCode.CANCELLED, reason or "cancelled by the client", b"")
        with self._write_lock:
            try:
                self._socket.sendall(frame)
            except OSError:
                pass  # the connection is gone: peerd cancels the stream itself

    def _fail(self, message: str) -> None:
        """Ends every stream; the caller holds the lock."""
        self._broken = message
        for event in self._connection.fail_all(message):
            self._deliver(event)
        self._changed.notify_all()

    def _deliver(self, event: MessageReceived | StreamEnded) -> None:
        call = self._calls.get(event.stream_id)
        if call is None:
            return
        if isinstance(event, MessageReceived):
            call.messages.append(event.payload)
            if len(call.messages) > self.max_queued_messages:
                self._overflowed.append(self._connection.cancel(call.stream_id, "client queue full"))
                self._connection.forget(call.stream_id)
                del self._calls[event.stream_id]
                message = f"more than {self.max_queued_messages} messages not read: the client cancelled the stream"
                call.ended = StreamEnded(call.stream_id, StatusCode.RESOURCE_EXHAUSTED, message, b"")
        else:
            call.ended = event
            del self._calls[event.stream_id]

    def _send_overflowed(self) -> None:
        with self._lock:
            frames, self._overflowed = self._overflowed, []
        if frames:
            with self._write_lock:
                try:
                    self._socket.sendall(b"".join(frames))
                except OSError:
                    pass  # the connection is gone: peerd cancels the streams itself

    def _read(self, remaining: float | None) -> bytes | None:
        """Bytes from the socket, None when nothing came within `remaining` seconds."""
        if remaining is not None:
            if not self._poller.poll(max(0, int(remaining * 1000) + 1)):
                return None
        return self._socket.recv(_READ_SIZE)

    def _wait(
        self, call: _Call, deadline: float | None, done: _Predicate, cancel_on_deadline: bool = True
    ) -> StreamEnded | None:
        try:
            return self._wait_for(call, deadline, done, cancel_on_deadline)
        finally:
            if self._overflowed:
                self._send_overflowed()

    def _wait_for(
        self, call: _Call, deadline: float | None, done: _Predicate, cancel_on_deadline: bool
    ) -> StreamEnded | None:
        """Waits until done() (under the lock) or the deadline, reading the socket when no other
        thread does. Returns call.ended. On the deadline: Cancel sent, DEADLINE_EXCEEDED raised
        (or, without cancel_on_deadline, just returns); on any other exception
        (KeyboardInterrupt): Cancel sent, the exception re-raised."""
        try:
            with self._lock:
                while not done():
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        if not cancel_on_deadline:
                            return call.ended
                        raise _DeadlinePassed
                    if self._reading:
                        self._changed.wait(remaining)
                        continue
                    self._reading = True
                    self._lock.release()
                    try:
                        data = self._read(remaining)
                        error = None
                    except OSError as caught:
                        data, error = b"", caught
                    finally:
                        self._lock.acquire()
                        self._reading = False
                        self._changed.notify_all()
                    if data is None:
                        continue
                    if not data:
                        if self._broken is None:
                            self._fail(f"connection lost: {error}" if error else "peerd closed the connection")
                        continue
                    try:
                        for event in self._connection.receive(data):
                            self._deliver(event)
                    except ProtocolError as problem:
                        self._fail(f"protocol error from peerd: {problem}")
                return call.ended
        except _DeadlinePassed:
            self._cancel(call, "deadline exceeded")
            raise PeerdError(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded (client)") from None
        except BaseException:
            self._cancel(call, "interrupted")
            raise


class _DeadlinePassed(Exception):
    pass


class _ResponseStream(Generic[Resp]):
    """A server stream of the blocking client (see peerd.ResponseStream)."""

    def __init__(self, client: Client, call: _Call, response_type: type[Resp], deadline: float | None) -> None:
        self._client = client
        self._call = call
        self._response_type = response_type
        self._deadline = deadline
        self.code: StatusCode | None = None

    def __iter__(self) -> Iterator[Resp]:
        return self

    def _next(self, deadline: float | None) -> Resp | None:
        call = self._call
        ended = self._client._wait(call, deadline, lambda: bool(call.messages) or call.ended is not None)
        with self._client._lock:
            if call.messages:
                return self._response_type.FromString(call.messages.popleft())
        assert ended is not None
        self.code = ended.code
        if ended.code != StatusCode.OK:
            raise PeerdError(ended.code, ended.message)
        return None

    def __next__(self) -> Resp:
        message = self._next(self._deadline)
        if message is None:
            raise StopIteration
        return message

    def receive(self, timeout: float | None = None) -> Resp | None:
        """The next message, waiting at most `timeout` seconds; None when none came in time or the
        stream ended OK (then `code` is set). A status other than OK raises PeerdError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._deadline is not None and (deadline is None or self._deadline < deadline):
            return self._next(self._deadline)
        call = self._call
        self._client._wait(call, deadline, lambda: bool(call.messages) or call.ended is not None, False)
        if not call.messages and call.ended is None:
            return None
        return self._next(None)

    def cancel(self, reason: str = "") -> None:
        """Sends the Cancel frame (when the stream is still open); iteration then ends CANCELLED."""
        self._client._cancel(self._call, reason)

    def __enter__(self) -> _ResponseStream[Resp]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel("closed by the client")


class _BidiStream(_ResponseStream[Resp], Generic[Req, Resp]):
    """A bidirectional stream of the blocking client (see peerd.BidiStream)."""

    def send(self, message: Req) -> None:
        payload = message.SerializeToString()
        stream_id = self._call.stream_id
        self._client._write(lambda connection: connection.send_message(stream_id, payload))

    def close_send(self) -> None:
        stream_id = self._call.stream_id
        self._client._write(lambda connection: connection.close_send(stream_id))

    def __enter__(self) -> _BidiStream[Req, Resp]:
        return self

