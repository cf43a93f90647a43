"""One scenario, two drivers: `SyncDriver` calls a Client; `AsyncDriver` calls an AsyncClient
whose event loop runs in a thread of its own, so a test written once exercises both."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message

import peerd

T = TypeVar("T")


class WatchHandle(Protocol):
    def receive(self, timeout: float) -> Any: ...
    def cancel(self) -> None: ...


class Driver(Protocol):
    name: str

    def call(self, service: str, method: str, /, **fields: Any) -> Any: ...
    def stream(self, service: str, method: str, /, **fields: Any) -> WatchHandle: ...
    def close(self) -> None: ...


class SyncDriver:
    name = "sync"

    def __init__(self, path: str) -> None:
        self.client = peerd.Client(path, timeout=10)

    def call(self, service: str, method: str, /, **fields: Any) -> Any:
        return getattr(getattr(self.client, service), method)(**fields)

    def stream(self, service: str, method: str, /, **fields: Any) -> WatchHandle:
        stream: WatchHandle = getattr(getattr(self.client, service), method)(**fields)
        return stream

    def close(self) -> None:
        self.client.close()


class _AsyncWatch:
    def __init__(self, driver: AsyncDriver, stream: Any) -> None:
        self._driver = driver
        self._stream = stream

    def receive(self, timeout: float) -> Message | None:
        message: Message | None = self._driver.run(self._stream.receive(timeout))
        return message

    def cancel(self) -> None:
        self._driver.loop.call_soon_threadsafe(self._stream.cancel)


class AsyncDriver:
    name = "async"

    def __init__(self, path: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: peerd.AsyncClient = self.run(peerd.AsyncClient.connect(path, timeout=10))

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def call(self, service: str, method: str, /, **fields: Any) -> Any:
        return self.run(getattr(getattr(self.client, service), method)(**fields))

    def stream(self, service: str, method: str, /, **fields: Any) -> WatchHandle:
        async def open_stream() -> Any:
            return getattr(getattr(self.client, service), method)(**fields)

        return _AsyncWatch(self, self.run(open_stream()))

    def close(self) -> None:
        self.run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def make(kind: str, path: str) -> Driver:
    return SyncDriver(path) if kind == "sync" else AsyncDriver(path)
