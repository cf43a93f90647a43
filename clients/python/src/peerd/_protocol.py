"""The ttrpc protocol as peerd speaks it, without I/O (the h11/h2 pattern).

`Connection` turns calls into bytes to write and bytes read into events; the drivers (_sync.py,
_async.py) own the socket. Byte layouts are docs/protocol.md sections 2-4. The envelopes
(ttrpc.Request, ttrpc.Response, google.rpc.Status, ttrpc.peerd.Cancel) are encoded by hand: they
are the hot path, and keeping them out of the protobuf registry avoids clashing with another
package's google.rpc.Status. Everything read is bounded: a frame header announcing more than
`max_frame_size` bytes, or a malformed envelope, is a ProtocolError that ends the connection.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from peerd._status import PeerdError, StatusCode

REQUEST, RESPONSE, DATA, CANCEL = 0x01, 0x02, 0x03, 0x10
REMOTE_CLOSED, REMOTE_OPEN, NO_DATA = 0x01, 0x02, 0x04
DEFAULT_MAX_FRAME_SIZE = 4 << 20  # ttrpc's limit and peerd's default --max-frame-size
# peerd's default --max-concurrent-streams: a client with more unary calls than this waits for a
# slot instead of having peerd refuse the call with RESOURCE_EXHAUSTED.
DEFAULT_MAX_CONCURRENT_CALLS = 128
DEFAULT_MAX_QUEUED_MESSAGES = 65536  # per stream, read but not yet taken (peerd's --watch-queue-limit)
MAX_STREAM_ID = (1 << 32) - 1
HEADER = struct.Struct(">IIBB")


class ProtocolError(Exception):
    """peerd sent bytes that break the protocol: the connection cannot be trusted any more."""


def encode_varint(value: int) -> bytes:
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field_bytes(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | 2) + encode_varint(len(value)) + value


def request_prefix(service: str, method: str) -> bytes:
    """ttrpc.Request fields 1 and 2 (service, method): the same for every call of a method."""
    return _field_bytes(1, service.encode()) + _field_bytes(2, method.encode())


def encode_request(prefix: bytes, payload: bytes, timeout_nanos: int) -> bytes:
    """A ttrpc.Request: the method's prefix, payload (field 3) and timeout_nano (field 4)."""
    out = prefix
    if payload:
        out += b"\x1a" + encode_varint(len(payload)) + payload
    if timeout_nanos > 0:
        out += b"\x20" + encode_varint(timeout_nanos)
    return out


def encode_cancel(reason: str) -> bytes:
    """A ttrpc.peerd.Cancel{reason}."""
    return _field_bytes(1, reason.encode()) if reason else b""


def _read_varint(data: bytes, position: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= end or shift > 63:
            raise ProtocolError("truncated or overlong varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def _fields(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(number, wire type, value or start, end) of each field in data[start:end]; linear."""
    fields = []
    position = start
    while position < end:
        key, position = _read_varint(data, position, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _read_varint(data, position, end)
            fields.append((number, 0, value, position))
        elif wire == 2:
            length, position = _read_varint(data, position, end)
            if length > end - position:
                raise ProtocolError("length-delimited field past the end")
            fields.append((number, 2, position, position + length))
            position += length
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        else:
            raise ProtocolError(f"wire type {wire}")
        if position > end:
            raise ProtocolError("field past the end")
    return fields


def decode_response(data: bytes) -> tuple[StatusCode, str, bytes]:
    """A ttrpc.Response: (status code, status message, payload). An absent status is OK."""
    if data[:3] == b"\x0a\x00\x12":
        # peerd's usual OK reply: an empty status, then the payload and nothing else
        length, position = _read_varint(data, 3, len(data))
        if position + length == len(data):
            return StatusCode.OK, "", data[position:]
    code, message, payload = 0, "", b""
    for number, wire, first, second in _fields(data, 0, len(data)):
        if number == 1 and wire == 2:
            for inner, inner_wire, value, inner_end in _fields(data, first, second):
                if inner == 1 and inner_wire == 0:
                    code = value
                elif inner == 2 and inner_wire == 2:
                    message = data[value:inner_end].decode("utf-8", "replace")
        elif number == 2 and wire == 2:
            payload = data[first:second]
    if code >= 1 << 63:
        code -= 1 << 64  # int32 codes travel sign-extended
    return StatusCode.of(code), message, payload


# Plain slotted classes (not frozen): one is made per frame, and frozen ones cost more to build.
@dataclass(slots=True)
class MessageReceived:
    """A Data frame that carries one message of the stream's response type."""

    stream_id: int
    payload: bytes


@dataclass(slots=True)
class StreamEnded:
    """The Response frame that ends a stream: its status and (unary) reply payload."""

    stream_id: int
    code: StatusCode
    message: str
    payload: bytes


Event = MessageReceived | StreamEnded


class Connection:
    """One ttrpc connection's state: stream ids, open streams, the frame reader.

    Not thread-safe: the blocking driver calls it under its lock, the asyncio driver from the loop.
    """

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE) -> None:
        self.max_frame_size = max_frame_size
        self._next_id = 1
        # stream id -> whether this side still sends Data (client or bidirectional streams).
        self._open: dict[int, bool] = {}
        self._buffer = bytearray()

    @property
    def open_streams(self) -> int:
        return len(self._open)

    def _frame(self, stream_id: int, kind: int, flags: int, payload: bytes) -> bytes:
        if len(payload) > self.max_frame_size:
            raise PeerdError(
                StatusCode.RESOURCE_EXHAUSTED,
                f"frame of {len(payload)} bytes exceeds the maximum of {self.max_frame_size}",
            )
        return HEADER.pack(len(payload), stream_id, kind, flags) + payload

    def start_call(self, prefix: bytes, payload: bytes, timeout_nanos: int, flags: int) -> tuple[int, bytes]:
        """Opens a stream: its id and the Request frame. flags: 0 unary, REMOTE_CLOSED server
        streaming, REMOTE_OPEN bidirectional."""
        stream_id = self._next_id
        if stream_id > MAX_STREAM_ID:
            raise PeerdError(StatusCode.RESOURCE_EXHAUSTED, "stream ids of this connection are used up; reconnect")
        frame = self._frame(stream_id, REQUEST, flags, encode_request(prefix, payload, timeout_nanos))
        self._next_id = stream_id + 2
        self._open[stream_id] = bool(flags & REMOTE_OPEN)
        return stream_id, frame

    def send_message(self, stream_id: int, payload: bytes) -> bytes:
        """A Data frame with one message on a stream this side still sends on."""
        if not self._open.get(stream_id, False):
            raise PeerdError(StatusCode.FAILED_PRECONDITION, "the stream is closed for sending")
        return self._frame(stream_id, DATA, 0, payload)

    def close_send(self, stream_id: int) -> bytes:
        """Data with `remote closed | no data`: this side sends no more (b"" when already done)."""
        if not self._open.get(stream_id, False):
            return b""
        self._open[stream_id] = False
        return self._frame(stream_id, DATA, REMOTE_CLOSED | NO_DATA, b"")

    def cancel(self, stream_id: int, reason: str = "") -> bytes:
        """The Cancel frame for a stream still open (b"" when it has ended): peerd answers CANCELLED."""
        if stream_id not in self._open:
            return b""
        self._open[stream_id] = False
        return self._frame(stream_id, CANCEL, 0, encode_cancel(reason))

    def forget(self, stream_id: int) -> None:
        """Stops tracking a stream the caller abandoned: its late frames are dropped."""
        self._open.pop(stream_id, None)

    def receive(self, data: bytes) -> list[Event]:
        """Feeds bytes read from the socket; returns the events of the frames they complete."""
        # Parse `data` itself when nothing is pending (the usual case: whole frames per read);
        # only a partial frame is kept, in the buffer.
        buffer: bytes | bytearray
        if self._buffer:
            self._buffer += data
            buffer = self._buffer
        else:
            buffer = data
        events: list[Event] = []
        position, size = 0, len(buffer)
        while size - position >= 10:
            length, stream_id, kind, flags = HEADER.unpack_from(buffer, position)
            if length > self.max_frame_size:
                raise ProtocolError(f"frame of {length} bytes exceeds the maximum of {self.max_frame_size}")
            if size - position - 10 < length:
                break
            start = position + 10
            position = start + length
            if stream_id not in self._open:
                continue  # a stream that ended or was abandoned
            if kind == DATA:
                if not flags & NO_DATA:
                    events.append(MessageReceived(stream_id, bytes(buffer[start:position])))
            elif kind == RESPONSE:
                code, message, payload = decode_response(bytes(buffer[start:position]))
                del self._open[stream_id]
                events.append(StreamEnded(stream_id, code, message, payload))
            # other types are ignored, ttrpc's rule
        if buffer is self._buffer:
            del self._buffer[:position]
        elif position < size:
            self._buffer = bytearray(buffer[position:])
        return events

    def fail_all(self, message: str) -> list[Event]:
        """The connection is gone: every open stream ends UNAVAILABLE."""
        events: list[Event] = [StreamEnded(i, StatusCode.UNAVAILABLE, message, b"") for i in self._open]
        self._open.clear()
        return events
