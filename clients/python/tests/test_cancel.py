"""Cancellation sends the Cancel frame: peerd (started with --max-watch-streams 1) frees the one
Watch slot only when it receives Cancel, since the connection stays open. Covers cancel(),
leaving a `with` block, KeyboardInterrupt in a blocking wait, task cancellation, and a stream's
deadline; both clients."""

from __future__ import annotations

import asyncio
import signal
import time
from types import FrameType

import pytest

import peerd
from conftest import PROBE_PROTOCOL, Peerd, live_watch, next_event_of, peer_id
from peerd import PeerdError, StatusCode
from peerd import peermanager_pb2 as pm


def watch_slot_is_free(client: peerd.Client, n: int) -> None:
    """A new Watch is accepted (peerd answers no RESOURCE_EXHAUSTED) and sees peers added."""
    stream = live_watch(client, n + 500)
    client.peer_manager.add_peer(address=f"/ip4/192.0.2.3/tcp/1/p2p/{peer_id(n)}")
    assert next_event_of(stream, {peer_id(n)}).peer_event.kind == peerd.peermanager_pb2.PeerEvent.KIND_ADDED
    stream.cancel()


def test_a_second_watch_is_refused_while_one_is_open(fresh_peerd: Peerd) -> None:
    with peerd.Client(fresh_peerd.socket_path) as client:
        # peerd serves the two calls concurrently: either may take the one slot
        streams = [client.peer_manager.watch(), client.peer_manager.watch()]
        refused = None
        deadline = time.monotonic() + 10
        while refused is None:
            assert time.monotonic() < deadline, "neither Watch was refused"
            for index, stream in enumerate(streams):
                try:
                    stream.receive(0.05)
                except PeerdError as error:
                    assert error.code == StatusCode.RESOURCE_EXHAUSTED
                    refused = index
        holder = streams[1 - refused]
        holder.cancel()
        with pytest.raises(PeerdError) as cancelled:
            next(holder)
        assert cancelled.value.code == StatusCode.CANCELLED
        watch_slot_is_free(client, 7_000_001)


def test_leaving_the_with_block_cancels(fresh_peerd: Peerd) -> None:
    with peerd.Client(fresh_peerd.socket_path) as client:
        with client.peer_manager.watch() as stream:
            assert stream.receive(0.05) is None
        watch_slot_is_free(client, 7_000_002)


def test_keyboard_interrupt_in_a_blocking_wait_cancels(fresh_peerd: Peerd) -> None:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with peerd.Client(fresh_peerd.socket_path) as client:
            stream = client.peer_manager.watch()
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            with pytest.raises(KeyboardInterrupt):
                next(stream)
            watch_slot_is_free(client, 7_000_003)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_stream_deadline_cancels(fresh_peerd: Peerd) -> None:
    with peerd.Client(fresh_peerd.socket_path) as client:
        stream = client.peer_manager.watch(timeout=0.2)
        with pytest.raises(PeerdError) as raised:
            next(stream)
        assert raised.value.code == StatusCode.DEADLINE_EXCEEDED
        watch_slot_is_free(client, 7_000_004)


def test_task_cancellation_cancels_async_streams_and_calls(fresh_peerd: Peerd) -> None:
    async def scenario() -> None:
        async with peerd.AsyncClient(fresh_peerd.socket_path) as client:
            stream = client.peer_manager.watch()
            task = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert stream.code is None
            # the slot is free again: a new Watch is accepted and sees peers added (probing as
            # conftest.live_watch does: peerd serves the Watch concurrently with later calls)
            probe = peer_id(7_000_505)
            again = None
            for _ in range(100):
                if again is None:
                    again = client.peer_manager.watch(peer_events=True)
                try:
                    await client.peer_manager.add_peer(peer=pm.Peer(peer_id=probe, protocols=[PROBE_PROTOCOL]))
                    seen = await again.receive(0.1)
                    await client.peer_manager.remove_peer(peer_id=probe)
                    if seen is not None:
                        break
                except PeerdError as error:
                    assert error.code == StatusCode.RESOURCE_EXHAUSTED
                    again = None
            else:
                raise AssertionError("the Watch slot was never freed")
            assert again is not None
            await client.peer_manager.add_peer(address=f"/ip4/192.0.2.3/tcp/1/p2p/{peer_id(7_000_005)}")
            while True:
                event = await again.receive(10)
                assert event is not None
                if event.peer_event.peer_id == peer_id(7_000_005):
                    break
            again.cancel()

            # a unary call's task, cancelled while peerd holds it (a long poll)
            session = peerd.AsyncUnaryHostSession(client, peerd.peermanager_pb2.HostHello(peer_id=peer_id(7_000_006)))
            await session.open()
            poll = asyncio.ensure_future(session.poll(wait=30))
            await asyncio.sleep(0.1)
            poll.cancel()
            with pytest.raises(asyncio.CancelledError):
                await poll
            assert (await client.health.check()).status == 1

    asyncio.run(scenario())


def test_async_deadline(fresh_peerd: Peerd) -> None:
    async def scenario() -> None:
        async with peerd.AsyncClient(fresh_peerd.socket_path, timeout=0.2) as client:
            session = peerd.AsyncUnaryHostSession(client, peerd.peermanager_pb2.HostHello(peer_id=peer_id(7_000_007)))
            await session.open()
            started = time.monotonic()
            with pytest.raises(PeerdError) as raised:
                await client.host.poll_commands(session_id=session.session_id, wait_ms=5000)
            assert raised.value.code == StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - started < 3  # 0.3 s, and a loaded machine
            stream = client.peer_manager.watch(timeout=0.2)
            with pytest.raises(PeerdError) as expired:
                await stream.__anext__()
            assert expired.value.code == StatusCode.DEADLINE_EXCEEDED
            assert (await client.health.check()).status == 1

    asyncio.run(scenario())


def test_an_unread_stream_is_cancelled_at_the_client_queue_limit(fresh_peerd: Peerd) -> None:
    with peerd.Client(fresh_peerd.socket_path, max_queued_messages=5) as client:
        stream = live_watch(client, 7_000_100)
        for n in range(20):  # unary calls read the socket: the Watch's events queue up unread
            client.peer_manager.add_peer(address=f"/ip4/192.0.2.4/tcp/1/p2p/{peer_id(7_000_200 + n)}")
        for _ in range(20):  # until peerd's later events have been read too
            client.peer_manager.get_statistics()
            time.sleep(0.02)
        taken = []
        with pytest.raises(PeerdError) as raised:
            for event in stream:
                taken.append(event)
        assert raised.value.code == StatusCode.RESOURCE_EXHAUSTED
        assert len(taken) == 6  # the queued ones, the last of which went over the limit
        watch_slot_is_free(client, 7_000_300)  # and peerd got the Cancel


def test_an_unread_async_stream_is_cancelled_at_the_client_queue_limit(fresh_peerd: Peerd) -> None:
    async def scenario() -> None:
        async with peerd.AsyncClient(fresh_peerd.socket_path, max_queued_messages=5) as client:
            stream = client.peer_manager.watch(peer_events=True)
            for n in range(40):
                await client.peer_manager.add_peer(address=f"/ip4/192.0.2.4/tcp/1/p2p/{peer_id(7_000_400 + n)}")
            await asyncio.sleep(0.5)
            taken = []

            async def consume() -> None:
                async for event in stream:
                    taken.append(event)

            with pytest.raises(PeerdError) as raised:
                await asyncio.wait_for(consume(), 10)  # a failure, never a hang
            assert raised.value.code == StatusCode.RESOURCE_EXHAUSTED
            assert len(taken) == 6

    asyncio.run(scenario())
