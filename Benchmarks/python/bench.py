#!/usr/bin/env python3
"""SelectPeer from Python, one call in flight: the peerd clients beside their floor and grpcio.

Contenders (each a process of its own, pinned with taskset, the server in another):
  raw       a blocking socket writing the pre-encoded ttrpc frame and reading the reply frame:
            the floor any Python client of peerd pays (no encoding, no decoding);
  sync      peerd.Client.peer_manager.select_peer(protocol=...);
  asyncio   await peerd.AsyncClient.peer_manager.select_peer(protocol=...);
  grpcio    grpc.Channel.unary_unary over a Unix socket to a grpcio server (Python, a thread
            pool) that answers every SelectPeer with the SelectPeerResponse peerd gave (same
            request, same reply bytes).
Layouts: `one` (client and server on CPU 0) and `split` (server on CPU 0, client on CPU 1).
Contenders run interleaved for --rounds rounds; the table shows the median over rounds of each
round's p50, p99 and calls/s.

  scripts/bench-python [--peerd .build/release/peerd] [--calls 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from concurrent import futures

RELAY = "/vac/waku/relay/2.0.0"
HERE = os.path.dirname(os.path.abspath(__file__))
# The client from this checkout (not an installed copy), for the driver and every child.
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python", "src"))


def percentile(sorted_values: list[int], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))] / 1000.0


def summarize(samples: list[int], elapsed: float) -> dict[str, float]:
    samples.sort()
    return {"p50_us": percentile(samples, 0.5), "p99_us": percentile(samples, 0.99), "calls_per_s": len(samples) / elapsed}


# ---- clients (run in their own process)


def client_raw(target: str, calls: int, warmup: int) -> dict[str, float]:
    from peerd import peermanager_pb2 as pm
    from peerd._protocol import Connection, request_prefix

    prefix = request_prefix("waku.peermanager.v1.PeerManager", "SelectPeer")
    payload = pm.SelectPeerRequest(protocol=RELAY).SerializeToString()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(target)
    connection = Connection()
    frames = [connection.start_call(prefix, payload, 0, 0)[1] for _ in range(calls + warmup)]
    samples = []
    header = struct.Struct(">IIBB")
    started = 0.0
    for index, frame in enumerate(frames):
        if index == warmup:
            started = time.perf_counter()
        begin = time.perf_counter_ns()
        sock.sendall(frame)
        data = sock.recv(65536)
        while len(data) < 10 or len(data) < 10 + header.unpack_from(data)[0]:
            data += sock.recv(65536)
        if index >= warmup:
            samples.append(time.perf_counter_ns() - begin)
    return summarize(samples, time.perf_counter() - started)


def client_sync(target: str, calls: int, warmup: int) -> dict[str, float]:
    import peerd

    with peerd.Client(target) as client:
        select = client.peer_manager.select_peer
        for _ in range(warmup):
            assert select(protocol=RELAY).HasField("peer")
        samples = []
        started = time.perf_counter()
        for _ in range(calls):
            begin = time.perf_counter_ns()
            select(protocol=RELAY)
            samples.append(time.perf_counter_ns() - begin)
        return summarize(samples, time.perf_counter() - started)


def client_asyncio(target: str, calls: int, warmup: int) -> dict[str, float]:
    import peerd

    async def run() -> dict[str, float]:
        async with peerd.AsyncClient(target) as client:
            select = client.peer_manager.select_peer
            for _ in range(warmup):
                assert (await select(protocol=RELAY)).HasField("peer")
            samples = []
            started = time.perf_counter()
            for _ in range(calls):
                begin = time.perf_counter_ns()
                await select(protocol=RELAY)
                samples.append(time.perf_counter_ns() - begin)
            return summarize(samples, time.perf_counter() - started)

    return asyncio.run(run())


def client_grpcio(target: str, calls: int, warmup: int) -> dict[str, float]:
    import grpc

    from peerd import peermanager_pb2 as pm

    with grpc.insecure_channel(f"unix:{target}") as channel:
        select = channel.unary_unary(
            "/waku.peermanager.v1.PeerManager/SelectPeer",
            request_serializer=pm.SelectPeerRequest.SerializeToString,
            response_deserializer=pm.SelectPeerResponse.FromString,
        )
        for _ in range(warmup):
            assert select(pm.SelectPeerRequest(protocol=RELAY), timeout=30).HasField("peer")
        samples = []
        started = time.perf_counter()
        for _ in range(calls):
            begin = time.perf_counter_ns()
            select(pm.SelectPeerRequest(protocol=RELAY), timeout=30)
            samples.append(time.perf_counter_ns() - begin)
        return summarize(samples, time.perf_counter() - started)


CLIENTS = {"raw": client_raw, "sync": client_sync, "asyncio": client_asyncio, "grpcio": client_grpcio}


# ---- the grpcio server (its own process)


def grpc_server(target: str, reply_hex: str) -> None:
    import grpc

    from peerd import peermanager_pb2 as pm

    reply = pm.SelectPeerResponse.FromString(bytes.fromhex(reply_hex))

    def select_peer(request: pm.SelectPeerRequest, context: object) -> pm.SelectPeerResponse:
        return reply

    handler = grpc.method_handlers_generic_handler(
        "waku.peermanager.v1.PeerManager",
        {
            "SelectPeer": grpc.unary_unary_rpc_method_handler(
                select_peer,
                request_deserializer=pm.SelectPeerRequest.FromString,
                response_serializer=pm.SelectPeerResponse.SerializeToString,
            )
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"unix:{target}")
    server.start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop(0)


# ---- the driver


def pinned(cpu: int, arguments: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *arguments]


def wait_for_socket(path: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            return
        except OSError:
            time.sleep(0.02)
        finally:
            probe.close()
    raise SystemExit(f"nothing listens on {path}")


def setup_peers(path: str, count: int) -> bytes:
    """Relay peers in peerd's store; returns the serialized SelectPeerResponse it gives."""
    import peerd
    from peerd import peermanager_pb2 as pm

    sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python", "tests"))
    from conftest import peer_id

    with peerd.Client(path) as client:
        for n in range(1, count + 1):
            peer = pm.Peer(peer_id=peer_id(n), addresses=[f"/ip4/192.0.2.{n % 250}/tcp/60000"], protocols=[RELAY])
            client.peer_manager.add_peer(peer=peer, origin=pm.ORIGIN_STATIC)
        return client.peer_manager.select_peer(protocol=RELAY).SerializeToString()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peerd", default=None, help="peerd binary (default: .build/release/peerd)")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--layouts", default="one,split")
    parser.add_argument("--contenders", default="raw,sync,asyncio,grpcio")
    parser.add_argument("--client", choices=sorted(CLIENTS), help=argparse.SUPPRESS)
    parser.add_argument("--grpc-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--reply", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.client:
        print(json.dumps(CLIENTS[arguments.client](arguments.target, arguments.calls, arguments.warmup)))
        return
    if arguments.grpc_server:
        grpc_server(arguments.target, arguments.reply)
        return

    root = os.path.abspath(os.path.join(HERE, "..", ".."))
    binary = arguments.peerd or os.path.join(root, ".build", "release", "peerd")
    if shutil.which("taskset") is None:
        raise SystemExit("taskset (util-linux) is missing")
    directory = tempfile.mkdtemp(prefix="peerd-pybench-")
    peerd_socket, grpc_socket = os.path.join(directory, "peerd.sock"), os.path.join(directory, "grpc.sock")
    contenders = arguments.contenders.split(",")
    layouts = {"one": (0, 0), "split": (0, 1)}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    environment = dict(os.environ, PYTHONPATH=os.path.join(root, "clients", "python", "src"))
    for layout in arguments.layouts.split(","):
        server_cpu, client_cpu = layouts[layout]
        servers = [
            subprocess.Popen(
                pinned(server_cpu, [binary, "--no-metrics", "--no-persistence", "--socket", peerd_socket, "--log-level", "warning"]),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        ]
        try:
            wait_for_socket(peerd_socket)
            reply = setup_peers(peerd_socket, 50)
            if "grpcio" in contenders:
                command = [sys.executable, __file__, "--grpc-server", "--target", grpc_socket, "--reply", reply.hex()]
                servers.append(subprocess.Popen(pinned(server_cpu, command), stdout=subprocess.PIPE, env=environment))
                assert servers[-1].stdout is not None and servers[-1].stdout.readline().strip() == b"ready"
                wait_for_socket(grpc_socket)
            for _ in range(arguments.rounds):
                for contender in contenders:
                    target = grpc_socket if contender == "grpcio" else peerd_socket
                    command = [sys.executable, __file__, "--client", contender, "--target", target,
                               "--calls", str(arguments.calls), "--warmup", str(arguments.warmup)]
                    output = subprocess.run(pinned(client_cpu, command), capture_output=True, text=True, env=environment, check=True)
                    results.setdefault((layout, contender), []).append(json.loads(output.stdout))
        finally:
            for server in servers:
                server.send_signal(signal.SIGTERM)
            for server in servers:
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
            for path in (peerd_socket, grpc_socket):
                if os.path.exists(path):
                    os.unlink(path)

    print(f"SelectPeer, one call in flight, {arguments.calls} calls x {arguments.rounds} rounds (median of rounds)")
    print(f"{'layout':<6} {'client':<8} {'p50 us':>9} {'p99 us':>9} {'calls/s':>9} {'p50/raw':>8} {'grpcio/p50':>10}")
    for layout in arguments.layouts.split(","):
        row = {c: {k: statistics.median(r[k] for r in results[(layout, c)]) for k in ("p50_us", "p99_us", "calls_per_s")} for c in contenders}
        for contender in contenders:
            values = row[contender]
            versus_raw = values["p50_us"] / row["raw"]["p50_us"] if "raw" in row else float("nan")
            grpc_ratio = row["grpcio"]["p50_us"] / values["p50_us"] if "grpcio" in row else float("nan")
            print(f"{layout:<6} {contender:<8} {values['p50_us']:>9.1f} {values['p99_us']:>9.1f} {values['calls_per_s']:>9.0f} {versus_raw:>8.2f} {grpc_ratio:>10.2f}")


if __name__ == "__main__":
    main()
