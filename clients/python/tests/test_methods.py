"""Every PeerManager and Health method through both clients against a real peerd: replies,
errors with their status codes, and Watch."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

import peerd
from conftest import PROBE_PROTOCOL, Peerd, next_event_of, peer_id
from drivers import Driver, make
from peerd import PeerdError, StatusCode
from peerd import peermanager_pb2 as pm

_tags = itertools.count(1)


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest, peerd_server: Peerd) -> Iterator[Driver]:
    made = make(request.param, peerd_server.socket_path)
    yield made
    made.close()


def expect(code: StatusCode, driver: Driver, service: str, method: str, /, **fields: object) -> PeerdError:
    with pytest.raises(PeerdError) as raised:
        driver.call(service, method, **fields)
    assert raised.value.code == code, raised.value
    return raised.value


def test_health(driver: Driver) -> None:
    assert driver.call("health", "check").status == peerd.health_pb2.HealthCheckResponse.SERVING
    assert driver.call("health", "check", service="waku.peermanager.v1.PeerManager").status == 1
    expect(StatusCode.NOT_FOUND, driver, "health", "check", service="no.such.Service")
    watch = driver.stream("health", "watch")
    assert watch.receive(5).status == peerd.health_pb2.HealthCheckResponse.SERVING
    watch.cancel()


def test_info_statistics_configuration(driver: Driver, peerd_server: Peerd) -> None:
    info = driver.call("peer_manager", "get_info")
    assert info.protocol == "ttrpc/1.2+peerd-cancel"
    assert "waku.peermanager.v1.PeerManager" in info.services
    assert info.max_frame_size == 4 << 20
    assert driver.call("peer_manager", "get_statistics").host_attached is False
    configuration = driver.call("peer_manager", "get_configuration")
    assert configuration.max_connections == 50
    assert configuration.socket_path == peerd_server.socket_path


def test_peer_book_methods(driver: Driver) -> None:
    tag = next(_tags) + (1000 if driver.name == "sync" else 2000)
    store, lightpush = f"/test/{tag}/store", f"/test/{tag}/lightpush"
    first, second, unknown = peer_id(tag * 10 + 1), peer_id(tag * 10 + 2), peer_id(tag * 10 + 3)

    watch = driver.stream("peer_manager", "watch", peer_events=True)
    # peerd serves the Watch concurrently with the calls after it: wait until it shows a probe
    probe = peer_id(tag * 10 + 9)
    for _ in range(100):
        driver.call("peer_manager", "add_peer", peer=pm.Peer(peer_id=probe, protocols=[PROBE_PROTOCOL]))
        shown = watch.receive(0.1)
        driver.call("peer_manager", "remove_peer", peer_id=probe)
        if shown is not None:
            break
    else:
        raise AssertionError("the Watch never showed the probe peer")
    added = driver.call("peer_manager", "add_peer", address=f"/ip4/192.0.2.{tag % 250}/tcp/60000/p2p/{first}")
    assert added.peer.peer_id == first
    assert added.peer.addresses == [f"/ip4/192.0.2.{tag % 250}/tcp/60000"]
    structured = pm.Peer(peer_id=second, addresses=["/ip4/192.0.2.1/tcp/1"], protocols=[store])
    assert driver.call("peer_manager", "add_peer", peer=structured, origin=pm.ORIGIN_STATIC).peer.protocols == [store]
    events = [next_event_of(watch, {first, second}) for _ in range(2)]
    assert [(e.peer_event.kind, e.peer_event.peer_id) for e in events] == [
        (pm.PeerEvent.KIND_ADDED, first),
        (pm.PeerEvent.KIND_ADDED, second),
    ]
    watch.cancel()

    assert driver.call("peer_manager", "get_peer", peer_id=first).peer_id == first
    expect(StatusCode.NOT_FOUND, driver, "peer_manager", "get_peer", peer_id=unknown)
    error = expect(StatusCode.INVALID_ARGUMENT, driver, "peer_manager", "get_peer", peer_id="not-a-peer-id")
    assert "peer_id" in error.message

    listed = driver.call("peer_manager", "list_peers", protocol=store)
    assert ([p.peer_id for p in listed.peers], listed.total) == ([second], 1)
    assert driver.call("peer_manager", "select_peer", protocol=store).peer.peer_id == second
    assert not driver.call("peer_manager", "select_peer", protocol=f"/test/{tag}/none").HasField("peer")
    assert [p.peer_id for p in driver.call("peer_manager", "select_peers", protocol=store, count=0).peers] == [second]

    slotted = driver.call("peer_manager", "add_service_peer", address=f"/ip4/192.0.2.9/tcp/9/p2p/{first}", protocol=lightpush)
    assert slotted.peer.peer_id == first
    assert driver.call("peer_manager", "select_peer", protocol=lightpush).peer.peer_id == first
    assert driver.call("peer_manager", "remove_service_peer", peer_id=first, protocol=lightpush).removed
    expect(
        StatusCode.INVALID_ARGUMENT, driver, "peer_manager", "add_service_peer",
        address=f"/ip4/192.0.2.9/tcp/9/p2p/{first}", protocol="/vac/waku/relay/2.0.0",
    )

    assert list(driver.call("peer_manager", "connected_peers", protocol=store).peers) == []
    expect(StatusCode.FAILED_PRECONDITION, driver, "peer_manager", "connect", peers=[first])
    expect(StatusCode.FAILED_PRECONDITION, driver, "peer_manager", "disconnect", peer_id=first)
    expect(StatusCode.FAILED_PRECONDITION, driver, "peer_manager", "reconnect", protocol=f"/test/{tag}/none")

    allowed = driver.call("peer_manager", "can_be_connected", peer_id=first)
    assert allowed.allowed and allowed.HasField("earliest_ms") and allowed.earliest_ms == 0

    assert driver.call("peer_manager", "protect", peer_id=first, tag="store-request").is_protected
    assert driver.call("peer_manager", "get_peer", peer_id=first).protection_tags == ["store-request"]
    assert not driver.call("peer_manager", "unprotect", peer_id=first, tag="store-request").is_protected
    expect(StatusCode.NOT_FOUND, driver, "peer_manager", "protect", peer_id=unknown, tag="t")

    assert driver.call("peer_manager", "remove_peer", peer_id=second).removed
    expect(StatusCode.NOT_FOUND, driver, "peer_manager", "get_peer", peer_id=second)
    assert not driver.call("peer_manager", "remove_peer", peer_id=second).removed


def test_request_objects_are_accepted_positionally(peerd_server: Peerd) -> None:
    with peerd.Client(peerd_server.socket_path) as client:
        reply = client.peer_manager.select_peers(pm.SelectPeersRequest(protocol="/test/none", count=3))
        assert list(reply.peers) == []
        with pytest.raises(TypeError):
            client.peer_manager.select_peers(pm.SelectPeersRequest(), protocol="/x")
