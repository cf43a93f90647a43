"""`python -m peerd` against a real peerd."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import peerd
from conftest import REPO, Peerd, peer_id

SRC = str(REPO / "clients" / "python" / "src")


def cli(server: Peerd, *arguments: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, PYTHONPATH=SRC)
    command = [sys.executable, "-m", "peerd", "--socket", server.socket_path, *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, env=environ)


def test_quick_calls(peerd_server: Peerd) -> None:
    first = peer_id(8_000_001)
    with peerd.Client(peerd_server.socket_path) as client:
        client.peer_manager.add_peer(peer=peerd.peermanager_pb2.Peer(peer_id=first, protocols=["/test/cli/store"]))
    assert cli(peerd_server, "health").stdout.strip() == "status: SERVING"
    assert "ttrpc/1.2+peerd-cancel" in cli(peerd_server, "info").stdout
    stats = json.loads(cli(peerd_server, "--json", "stats").stdout)
    assert stats["capacity"] == 8192
    peers = cli(peerd_server, "--json", "peers", "--protocol", "/test/cli/store").stdout.splitlines()
    assert [json.loads(line)["peer_id"] for line in peers] == [first]
    assert f'peer_id: "{first}"' in cli(peerd_server, "select", "/test/cli/store").stdout
    missing = cli(peerd_server, "select", "/test/cli/none")
    assert (missing.returncode, missing.stderr.strip()) == (1, "no peer")


def test_watch_prints_events(peerd_server: Peerd) -> None:
    environ = dict(os.environ, PYTHONPATH=SRC)
    command = [sys.executable, "-m", "peerd", "--socket", peerd_server.socket_path, "--json", "watch", "--peer-events", "--count", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environ) as process:
        added = peer_id(8_000_002)
        with peerd.Client(peerd_server.socket_path) as client:
            for _ in range(100):  # until the watcher is in place
                client.peer_manager.add_peer(peer=peerd.peermanager_pb2.Peer(peer_id=added, protocols=["/test/cli/w"]))
                if process.poll() is not None:
                    break
                try:
                    process.wait(0.1)
                except subprocess.TimeoutExpired:
                    client.peer_manager.remove_peer(peer_id=added)
        assert process.stdout is not None
        event = json.loads(process.stdout.readline())
    assert process.returncode == 0
    assert event["peer_event"]["peer_id"] == added


def test_out_of_range_numbers_are_usage_errors(peerd_server: Peerd) -> None:
    failed = cli(peerd_server, "select", "/x", "--cluster-id", "4294967296")
    assert failed.returncode == 2 and "not a uint32" in failed.stderr


def test_errors_print_the_status() -> None:
    unreachable = subprocess.run(
        [sys.executable, "-m", "peerd", "--socket", "/nonexistent/peerd.sock", "health"],
        capture_output=True, text=True, timeout=30, env=dict(os.environ, PYTHONPATH=SRC),
    )
    assert unreachable.returncode == 1 and unreachable.stderr.startswith("peerd: UNAVAILABLE: cannot connect")
