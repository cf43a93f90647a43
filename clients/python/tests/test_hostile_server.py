"""A server that breaks the protocol (a real Unix socket, served by a thread of the test): the
client ends the calls UNAVAILABLE naming the problem, and neither hangs nor buffers without
bound. Both clients."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import tempfile
import threading
from collections.abc import Iterator

import pytest

import peerd
from peerd import PeerdError, StatusCode

REPLIES = {
    # a header announcing more than the 4 MiB limit: refused from the header alone
    "oversized": struct.pack(">IIBB", (4 << 20) + 1, 1, 0x02, 0),
    # a Response whose status field runs past the end of the frame
    "malformed": struct.pack(">IIBB", 2, 1, 0x02, 0) + b"\x0a\x05",
    # half a header, then the connection closes
    "truncated": b"\x00\x00\x00",
}


@pytest.fixture(params=sorted(REPLIES))
def hostile(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    directory = tempfile.mkdtemp(prefix="peerd-hostile-")
    path = os.path.join(directory, "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(4)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)  # the Request
                connection.sendall(REPLIES[request.param])
                connection.shutdown(socket.SHUT_WR)
                try:
                    while connection.recv(65536):
                        pass
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield request.param, path
    listener.close()


def test_sync_client(hostile: tuple[str, str]) -> None:
    kind, path = hostile
    with peerd.Client(path, timeout=10) as client:
        with pytest.raises(PeerdError) as raised:
            client.health.check()
        assert raised.value.code == StatusCode.UNAVAILABLE
        if kind != "truncated":
            assert "protocol error" in raised.value.message
        with pytest.raises(PeerdError):  # the connection is not used again
            client.health.check()


def test_async_client(hostile: tuple[str, str]) -> None:
    kind, path = hostile

    async def scenario() -> None:
        async with peerd.AsyncClient(path, timeout=10) as client:
            with pytest.raises(PeerdError) as raised:
                await client.health.check()
            assert raised.value.code == StatusCode.UNAVAILABLE
            if kind != "truncated":
                assert "protocol error" in raised.value.message

    asyncio.run(scenario())
