"""Fixtures: a real peerd process on a throwaway socket (PEERD_BIN, default .build/debug/peerd)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]


def peerd_binary() -> str:
    return os.environ.get("PEERD_BIN", str(REPO / ".build" / "debug" / "peerd"))


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def peer_id(n: int) -> str:
    """A valid libp2p peer id (identity multihash of an ed25519 key made from n), as scripts/soak."""
    key = bytes([0x42]) + bytes(23) + n.to_bytes(8, "big")
    encoded = b"\x08\x01\x12\x20" + key
    data = b"\x00" + _varint(len(encoded)) + encoded
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = alphabet[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


class Peerd:
    """A running peerd; `socket_path` is where it listens."""

    def __init__(self, arguments: list[str], socket_path: str | None = None, env: dict[str, str] | None = None) -> None:
        self.directory = tempfile.mkdtemp(prefix="peerd-py-")
        self.socket_path = socket_path or os.path.join(self.directory, "peerd.sock")
        self.log_path = os.path.join(self.directory, "peerd.log")
        self.arguments = arguments
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        # Tests and other suites run in parallel: no metrics endpoint (a fixed port).
        # Each peerd its own store file: as root the default is /var/lib/peerd/peers.db, which
        # parallel test runs (and a running peerd) must not share.
        command = [peerd_binary(), "--no-metrics"]
        if "--peer-store-path" not in self.arguments and "--no-persistence" not in self.arguments:
            command += ["--peer-store-path", os.path.join(self.directory, "peers.db")]
        if "--socket" not in self.arguments and self.env is None:
            command += ["--socket", self.socket_path]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command + self.arguments, stdout=log, stderr=log, env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"peerd exited: {open(self.log_path).read()[-2000:]}")
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(self.socket_path)
                return
            except OSError:
                time.sleep(0.02)
            finally:
                probe.close()
        raise RuntimeError(f"peerd did not listen on {self.socket_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def peerd_server() -> Iterator[Peerd]:
    """One peerd shared by the tests that only add and query (each uses its own peer ids)."""
    server = Peerd(["--max-connections", "50", "--peer-store-capacity", "8192"])
    yield server
    server.stop()


@pytest.fixture
def fresh_peerd() -> Iterator[Peerd]:
    """A peerd of the test's own (hosts, limits), with a small watch-stream limit so that a test
    can tell that a Cancel frame freed its slot."""
    server = Peerd(["--max-connections", "50", "--max-watch-streams", "1", "--ip-colocation-limit", "0"])
    yield server
    server.stop()


PROBE_PROTOCOL = "/test/probe"


def live_watch(client: Any, probe: int, seconds: float = 10.0) -> Any:
    """A peer-event Watch that peerd has registered: a Watch call is served concurrently with the
    calls after it, so a test adds and removes a probe peer until the stream shows it (and opens
    it again while peerd still answers RESOURCE_EXHAUSTED for a slot not yet freed). Later events
    of the probe are the caller's to skip."""
    import peerd

    deadline = time.monotonic() + seconds
    probe_id = peer_id(probe)
    while True:
        stream = client.peer_manager.watch(peer_events=True)
        try:
            while True:
                client.peer_manager.add_peer(peer=peerd.peermanager_pb2.Peer(peer_id=probe_id, protocols=[PROBE_PROTOCOL]))
                event = stream.receive(0.1)
                client.peer_manager.remove_peer(peer_id=probe_id)
                if event is not None:
                    return stream
                assert time.monotonic() < deadline, "the Watch never showed the probe peer"
        except peerd.PeerdError as error:
            assert error.code == peerd.StatusCode.RESOURCE_EXHAUSTED, error
            assert time.monotonic() < deadline, "the Watch slot was never freed"


def next_event_of(stream: Any, peer_ids: set[str], seconds: float = 10.0) -> Any:
    """The next peer event about one of peer_ids (the probe's are skipped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        event = stream.receive(max(0.0, deadline - time.monotonic()))
        if event is not None and event.peer_event.peer_id in peer_ids:
            return event
    raise AssertionError(f"no event about {peer_ids}")


@pytest.fixture
def default_path_peerd() -> Iterator[tuple[Peerd, dict[str, str]]]:
    """peerd started without --socket, in an environment whose default socket path is the
    client's too (a fresh XDG_RUNTIME_DIR; root's default is /run/peerd). Yields the server and
    the environment to run clients in."""
    import peerd

    runtime = tempfile.mkdtemp(prefix="peerd-xdg-")
    environ = {"XDG_RUNTIME_DIR": runtime, "PATH": os.environ.get("PATH", "")}
    path = peerd.default_socket_path(environ=environ)
    if os.getuid() == 0 and os.path.exists(path):
        pytest.skip(f"{path} is taken (root's default is the system's: /run/peerd)")
    server = Peerd([], socket_path=path, env=environ)  # no --socket: peerd's own default
    yield server, environ
    server.stop()
