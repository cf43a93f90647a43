"""Host sessions end to end against a real peerd: attach with hello, a Connect's dial carried out
and reported, a Disconnect, a re-attach after peerd dropped the connection, and the unary
fallback (ReportEvents/PollCommands), with both clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

import peerd
from conftest import Peerd, peer_id
from peerd import PeerdError, StatusCode, result_event
from peerd import peermanager_pb2 as pm

HOST_ID = peer_id(9_000_001)
TARGET = peer_id(9_000_002)
TARGET_ADDRESS = f"/ip4/192.0.2.7/tcp/60000/p2p/{TARGET}"


def hello() -> pm.HostHello:
    return pm.HostHello(peer_id=HOST_ID, online=True)


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def carry_out_dial(command: pm.HostCommand, connection_id: int) -> list[pm.HostEvent]:
    """What a host reports after it dialled: the connection, then the command's result."""
    opened = pm.ConnectionOpened(
        connection_id=connection_id,
        peer_id=command.dial.peer_id,
        direction=pm.DIRECTION_OUTBOUND,
        observed_address=command.dial.addresses[0],
    )
    return [pm.HostEvent(connection_opened=opened), result_event(command.command_id, succeeded=True)]


def assert_dial_of_target(command: pm.HostCommand | None) -> pm.HostCommand:
    assert command is not None and command.WhichOneof("command") == "dial", command
    assert command.dial.peer_id == TARGET
    assert list(command.dial.addresses) == ["/ip4/192.0.2.7/tcp/60000"]
    return command


def test_host_session_attach_dial_result_disconnect(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    with peerd.HostSession(hello, path) as session, peerd.Client(path) as admin, ThreadPoolExecutor(2) as pool:
        wait_until(lambda: admin.peer_manager.get_statistics().host_attached)
        outcome = pool.submit(admin.peer_manager.connect, peers=[TARGET_ADDRESS], timeout_ms=5000)
        command = assert_dial_of_target(session.receive(5))
        session.report(*carry_out_dial(command, 1))
        reply = outcome.result(10)
        assert [(o.peer_id, o.connected, o.error) for o in reply.outcomes] == [(TARGET, True, "")]
        assert [p.peer_id for p in admin.peer_manager.connected_peers().peers] == [TARGET]

        done = pool.submit(admin.peer_manager.disconnect, peer_id=TARGET)
        disconnect = session.receive(5)
        assert disconnect is not None and disconnect.disconnect.peer_id == TARGET
        session.report(
            pm.HostEvent(connection_closed=pm.ConnectionClosed(connection_id=1)),
            result_event(disconnect.command_id, succeeded=True),
        )
        done.result(10)
        wait_until(lambda: admin.peer_manager.get_peer(peer_id=TARGET).connectedness == pm.CONNECTEDNESS_CAN_CONNECT)
    # close() detached the host
    with peerd.Client(path) as admin:
        wait_until(lambda: not admin.peer_manager.get_statistics().host_attached)


def test_a_client_deadline_cancels_the_call_and_the_connection_stays_usable(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    with peerd.HostSession(hello, path) as session, peerd.Client(path, timeout=0.3) as admin:
        wait_until(lambda: admin.peer_manager.get_statistics().host_attached)
        started = time.monotonic()
        with pytest.raises(PeerdError) as raised:
            admin.peer_manager.connect(peers=[TARGET_ADDRESS], timeout_ms=5000)  # the host never answers
        assert raised.value.code == StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 3  # 0.3 s, and a loaded machine
        assert session.receive(5) is not None  # the dial did reach the host
        assert admin.health.check().status == peerd.health_pb2.HealthCheckResponse.SERVING


def test_host_session_reattaches_after_peerd_drops_the_connection(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    calls = []

    def counted_hello() -> pm.HostHello:
        calls.append(1)
        return hello()

    with peerd.HostSession(counted_hello, path, reattach_timeout=20) as session:
        assert fresh_peerd.process is not None
        fresh_peerd.process.kill()  # a crash: no goodbye on the stream
        fresh_peerd.process.wait()
        fresh_peerd.start()
        assert session.receive(0.5) is None  # the drop is seen, the session attaches again
        assert session.attachments == 2 and len(calls) == 2
        with peerd.Client(path) as admin:
            wait_until(lambda: admin.peer_manager.get_statistics().host_attached)


def test_a_refused_hello_ends_the_session_with_peerds_status(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    with peerd.HostSession(hello, path) as first, peerd.Client(path) as admin:
        wait_until(lambda: admin.peer_manager.get_statistics().host_attached)
        second = peerd.HostSession(hello, path)
        second.attach()
        with pytest.raises(PeerdError) as raised:
            second.receive(5)
        assert raised.value.code == StatusCode.FAILED_PRECONDITION
        second.close()
        assert first.receive(0.1) is None  # the attached host is untouched


def test_async_host_session_attach_dial_result(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path

    async def scenario() -> None:
        async with peerd.AsyncHostSession(hello, path) as session, peerd.AsyncClient(path) as admin:
            for _ in range(250):
                if (await admin.peer_manager.get_statistics()).host_attached:
                    break
                await asyncio.sleep(0.02)
            outcome = asyncio.ensure_future(admin.peer_manager.connect(peers=[TARGET_ADDRESS], timeout_ms=5000))
            command = assert_dial_of_target(await session.receive(5))
            await session.report(*carry_out_dial(command, 1))
            reply = await outcome
            assert [(o.peer_id, o.connected) for o in reply.outcomes] == [(TARGET, True)]
            statistics = await admin.peer_manager.get_statistics()
            assert statistics.host_attached and statistics.connected == 1

    asyncio.run(scenario())


def test_unary_host_session(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    with peerd.Client(path) as host_client, peerd.Client(path) as admin, ThreadPoolExecutor(1) as pool:
        session = peerd.UnaryHostSession(host_client, hello)
        reply = session.open()
        assert reply.session_id != 0 and reply.accepted == 0 and reply.session_timeout_ms > 0
        assert session.poll(wait=0) == []
        outcome = pool.submit(admin.peer_manager.connect, peers=[TARGET_ADDRESS], timeout_ms=5000)
        commands = session.poll(wait=5)
        command = assert_dial_of_target(commands[0] if commands else None)
        report = session.report(*carry_out_dial(command, 1))
        assert (report.accepted, report.ignored) == (2, 0)
        assert outcome.result(10).outcomes[0].connected
        # a session peerd no longer knows (replaced by a take_over) is re-opened with a fresh hello
        old = session.session_id
        peerd.UnaryHostSession(admin, hello).open(take_over=True)
        session.report(pm.HostEvent(reachability=pm.Reachability(online=True)))
        assert session.session_id not in (0, old)


def test_async_unary_host_session(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path

    async def scenario() -> None:
        async with peerd.AsyncClient(path) as host_client, peerd.AsyncClient(path) as admin:
            session = peerd.AsyncUnaryHostSession(host_client, hello)
            await session.open()
            outcome = asyncio.ensure_future(admin.peer_manager.connect(peers=[TARGET_ADDRESS], timeout_ms=5000))
            commands = await session.poll(wait=5)
            command = assert_dial_of_target(commands[0] if commands else None)
            assert (await session.report(*carry_out_dial(command, 1))).accepted == 2
            assert (await outcome).outcomes[0].connected

    asyncio.run(scenario())


def test_the_hello_snapshot_is_peerds_view_and_a_reattach_sends_it_afresh(fresh_peerd: Peerd) -> None:
    path = fresh_peerd.socket_path
    connections = [pm.ConnectionOpened(connection_id=5, peer_id=TARGET, direction=pm.DIRECTION_INBOUND, observed_address="/ip4/192.0.2.8/tcp/4000")]

    def snapshot() -> pm.HostHello:
        return pm.HostHello(peer_id=HOST_ID, online=True, connections=connections)

    async def scenario() -> None:
        async with peerd.AsyncHostSession(snapshot, path, reattach_timeout=20) as session:
            async with peerd.AsyncClient(path) as admin:
                for _ in range(250):
                    if [p.peer_id for p in (await admin.peer_manager.connected_peers()).peers] == [TARGET]:
                        break
                    await asyncio.sleep(0.02)
                else:
                    raise AssertionError("the snapshot's connection is not in peerd's books")
            assert fresh_peerd.process is not None
            fresh_peerd.process.kill()
            fresh_peerd.process.wait()
            fresh_peerd.start()
            assert await session.receive(0.5) is None  # dropped, attached again with the snapshot
            assert session.attachments == 2
            async with peerd.AsyncClient(path) as admin:
                for _ in range(250):
                    if [p.peer_id for p in (await admin.peer_manager.connected_peers()).peers] == [TARGET]:
                        break
                    await asyncio.sleep(0.02)
                else:
                    raise AssertionError("the new peerd did not get the snapshot")

    asyncio.run(scenario())
