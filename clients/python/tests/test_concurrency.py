"""Many calls in flight on one connection: threads sharing a Client (one of them blocked in a
Watch), and tasks sharing an AsyncClient."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import peerd
from conftest import Peerd, live_watch, peer_id


def test_threads_share_a_client(peerd_server: Peerd) -> None:
    with peerd.Client(peerd_server.socket_path) as client:
        watch = live_watch(client, 5_999_999)
        seen: list[str] = []
        stop = threading.Event()

        def read_watch() -> None:
            while not stop.is_set():
                event = watch.receive(0.05)
                if event is not None:
                    seen.append(event.peer_event.peer_id)

        def worker(index: int) -> list[str]:
            ids = []
            for step in range(25):
                n = 5_000_000 + index * 100 + step
                added = client.peer_manager.add_peer(address=f"/ip4/192.0.2.5/tcp/{step + 1}/p2p/{peer_id(n)}")
                ids.append(added.peer.peer_id)
                assert client.peer_manager.get_peer(peer_id=peer_id(n)).peer_id == peer_id(n)
            return ids

        reader = threading.Thread(target=read_watch)
        reader.start()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(worker, range(8)))
        expected = {peer_id(5_000_000 + i * 100 + s) for i in range(8) for s in range(25)}
        assert {p for ids in results for p in ids} == expected
        pause = threading.Event()
        for _ in range(400):  # peerd writes the events soon; a loaded machine may take seconds
            if expected <= set(seen):
                break
            pause.wait(0.05)
        stop.set()
        reader.join()
        watch.cancel()
        assert expected <= set(seen)


def test_tasks_share_an_async_client(peerd_server: Peerd) -> None:
    async def scenario() -> None:
        async with peerd.AsyncClient(peerd_server.socket_path) as client:
            ids = [peer_id(6_000_000 + n) for n in range(200)]
            replies = await asyncio.gather(
                *[client.peer_manager.add_peer(address=f"/ip4/192.0.2.6/tcp/1/p2p/{p}") for p in ids]
            )
            assert [r.peer.peer_id for r in replies] == ids
            peers = await asyncio.gather(*[client.peer_manager.get_peer(peer_id=p) for p in ids])
            assert [p.peer_id for p in peers] == ids

    asyncio.run(scenario())


def test_more_calls_than_peerd_has_streams_wait_for_a_slot() -> None:
    """peerd refuses a call over --max-concurrent-streams with RESOURCE_EXHAUSTED; the clients
    keep at most max_concurrent_calls unary calls in flight, so 40 at once all succeed against a
    peerd that allows 4 (before, 200 AddPeers from one AsyncClient failed against the default 128
    once AddPeer waited for the peer store's commit)."""
    server = Peerd(["--max-concurrent-streams", "4"])
    try:

        async def scenario() -> None:
            async with peerd.AsyncClient(server.socket_path, max_concurrent_calls=4) as client:
                ids = [peer_id(6_100_000 + n) for n in range(40)]
                replies = await asyncio.gather(
                    *[client.peer_manager.add_peer(address=f"/ip4/192.0.2.7/tcp/1/p2p/{p}") for p in ids]
                )
                assert [r.peer.peer_id for r in replies] == ids

        asyncio.run(scenario())
        with peerd.Client(server.socket_path, max_concurrent_calls=4) as client:
            ids = [peer_id(6_200_000 + n) for n in range(40)]
            with ThreadPoolExecutor(16) as pool:
                replies = list(
                    pool.map(
                        lambda p: client.peer_manager.add_peer(address=f"/ip4/192.0.2.8/tcp/1/p2p/{p}"), ids
                    )
                )
            assert [r.peer.peer_id for r in replies] == ids
    finally:
        server.stop()
