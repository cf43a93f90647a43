"""What the generated methods (_methods.py) and the two drivers share: method descriptions,
timeouts, the channel and stream interfaces."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, Protocol, TypeVar

from google.protobuf.message import Message

from peerd._protocol import request_prefix
from peerd._status import StatusCode

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)
Req_contra = TypeVar("Req_contra", bound=Message, contravariant=True)
Resp_co = TypeVar("Resp_co", bound=Message, covariant=True)
M = TypeVar("M", bound=Message)


class _Default(enum.Enum):
    DEFAULT = "DEFAULT"


DEFAULT = _Default.DEFAULT
"""A call's timeout when none is given: the client's default (unary calls only)."""

Timeout = float | None | _Default
"""Seconds, None for no deadline, or DEFAULT for the client's default."""


class RPCKind(enum.Enum):
    UNARY = "unary"
    SERVER_STREAMING = "server_streaming"
    BIDI_STREAMING = "bidi_streaming"


class MethodInfo(Generic[Req, Resp]):
    """One rpc of the contract: its service, method, kind and message classes."""

    __slots__ = ("service", "method", "kind", "request_type", "response_type", "path", "prefix")

    def __init__(
        self, service: str, method: str, kind: RPCKind, request_type: type[Req], response_type: type[Resp]
    ) -> None:
        self.service = service
        self.method = method
        self.kind = kind
        self.request_type = request_type
        self.response_type = response_type
        self.path = f"{service}/{method}"
        self.prefix = request_prefix(service, method)

    def __repr__(self) -> str:
        return f"MethodInfo({self.path}, {self.kind.value})"


def build_request(cls: type[M], request: M | None, **fields: Any) -> M:
    """The request message: `request` as given, or one built from the keyword arguments (None
    leaves a field unset). Both at once is a TypeError."""
    if request is None:
        return cls(**fields)  # protobuf leaves a field given as None unset
    if any(value is not None for value in fields.values()):
        raise TypeError(f"pass either a {cls.__name__} or its fields as keyword arguments, not both")
    if not isinstance(request, cls):
        raise TypeError(f"expected a {cls.__name__}, got {type(request).__name__}")
    return request


def timeout_nanos(seconds: float | None) -> int:
    return 0 if seconds is None else max(1, int(seconds * 1e9))


class ResponseStream(Protocol[Resp_co]):
    """A server stream (Watch): iterate for the messages; the end of the stream raises PeerdError
    when its status is not OK. `cancel()` (or leaving the `with` block) sends the Cancel frame."""

    code: StatusCode | None
    """The stream's status once it ended, else None."""


    def __iter__(self) -> Iterator[Resp_co]: ...
    def __next__(self) -> Resp_co: ...
    def receive(self, timeout: float | None = None) -> Resp_co | None: ...
    def cancel(self, reason: str = "") -> None: ...
    def __enter__(self) -> ResponseStream[Resp_co]: ...
    def __exit__(self, *exc: object) -> None: ...


class BidiStream(Protocol[Req_contra, Resp_co]):
    """A bidirectional stream (Attach): `send` messages, `close_send` when done, iterate for
    the messages peerd sends; the iteration ends with the stream's status (PeerdError if not OK)."""

    code: StatusCode | None
    """The stream's status once it ended, else None."""


    def send(self, message: Req_contra) -> None: ...
    def close_send(self) -> None: ...
    def __iter__(self) -> Iterator[Resp_co]: ...
    def __next__(self) -> Resp_co: ...
    def receive(self, timeout: float | None = None) -> Resp_co | None: ...
    def cancel(self, reason: str = "") -> None: ...
    def __enter__(self) -> BidiStream[Req_contra, Resp_co]: ...
    def __exit__(self, *exc: object) -> None: ...


class AsyncResponseStream(Protocol[Resp_co]):
    """A server stream for asyncio: `async for`; `cancel()` or leaving `async with` cancels it."""

    code: StatusCode | None
    """The stream's status once it ended, else None."""


    def __aiter__(self) -> AsyncIterator[Resp_co]: ...
    async def __anext__(self) -> Resp_co: ...
    async def receive(self, timeout: float | None = None) -> Resp_co | None: ...
    def cancel(self, reason: str = "") -> None: ...
    async def __aenter__(self) -> AsyncResponseStream[Resp_co]: ...
    async def __aexit__(self, *exc: object) -> None: ...


class AsyncBidiStream(Protocol[Req_contra, Resp_co]):
    """A bidirectional stream for asyncio."""

    code: StatusCode | None
    """The stream's status once it ended, else None."""


    async def send(self, message: Req_contra) -> None: ...
    def close_send(self) -> None: ...
    def __aiter__(self) -> AsyncIterator[Resp_co]: ...
    async def __anext__(self) -> Resp_co: ...
    async def receive(self, timeout: float | None = None) -> Resp_co | None: ...
    def cancel(self, reason: str = "") -> None: ...
    async def __aenter__(self) -> AsyncBidiStream[Req_contra, Resp_co]: ...
    async def __aexit__(self, *exc: object) -> None: ...


class SyncChannel(Protocol):
    def unary(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> Resp: ...
    def server_streaming(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> ResponseStream[Resp]: ...
    def bidi_streaming(self, info: MethodInfo[Req, Resp], timeout: Timeout) -> BidiStream[Req, Resp]: ...


class AsyncChannel(Protocol):
    async def unary(self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout) -> Resp: ...
    def server_streaming(
        self, info: MethodInfo[Req, Resp], request: Req, timeout: Timeout
    ) -> AsyncResponseStream[Resp]: ...
    def bidi_streaming(self, info: MethodInfo[Req, Resp], timeout: Timeout) -> AsyncBidiStream[Req, Resp]: ...
