"""Fixtures: a real peerd process on a throwaway socket (PEERD_BIN, default .build/debug/peerd)."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

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
        command = [peerd_binary(), "--no-metrics"]
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
