"""The sans-I/O core against docs/protocol.md's bytes, without a socket."""

from __future__ import annotations

import pytest

from peerd import PeerdError, StatusCode
from peerd._protocol import (
    CANCEL,
    DATA,
    HEADER,
    NO_DATA,
    REMOTE_CLOSED,
    REMOTE_OPEN,
    RESPONSE,
    Connection,
    MessageReceived,
    ProtocolError,
    StreamEnded,
    decode_response,
    encode_varint,
    request_prefix,
)

HEALTH_PREFIX = request_prefix("grpc.health.v1.Health", "Check")


def frame(stream_id: int, kind: int, flags: int, payload: bytes) -> bytes:
    return HEADER.pack(len(payload), stream_id, kind, flags) + payload


def test_health_check_request_is_the_documented_bytes() -> None:
    stream_id, data = Connection().start_call(HEALTH_PREFIX, b"", 0, 0)
    assert stream_id == 1
    assert data == bytes.fromhex(
        "0000001e 00000001 01 00 0a15 677270632e6865616c74682e76312e4865616c7468 1205 436865636b".replace(" ", "")
    )


def test_documented_response_decodes_to_ok_and_the_reply() -> None:
    connection = Connection()
    connection.start_call(HEALTH_PREFIX, b"", 0, 0)
    events = connection.receive(bytes.fromhex("00000006 00000001 02 00 0a00 12020801".replace(" ", "")))
    assert events == [StreamEnded(1, StatusCode.OK, "", b"\x08\x01")]
    assert connection.open_streams == 0


def test_stream_ids_are_odd_and_increasing() -> None:
    connection = Connection()
    ids = [connection.start_call(HEALTH_PREFIX, b"", 0, 0)[0] for _ in range(4)]
    assert ids == [1, 3, 5, 7]


@pytest.mark.parametrize(
    ("payload", "timeout", "suffix"),
    [
        (b"", 0, b""),
        (b"\x0a\x01x", 0, b"\x1a\x03\x0a\x01x"),
        (b"", 1_000_000_000, b"\x20" + encode_varint(1_000_000_000)),
        (b"\x08\x01", 5, b"\x1a\x02\x08\x01\x20\x05"),
    ],
)
def test_request_envelope_carries_payload_and_timeout(payload: bytes, timeout: int, suffix: bytes) -> None:
    _, data = Connection().start_call(HEALTH_PREFIX, payload, timeout, 0)
    assert data[10:] == HEALTH_PREFIX + suffix


@pytest.mark.parametrize("flags", [0, REMOTE_CLOSED, REMOTE_OPEN])
def test_request_flags_are_the_kind_of_call(flags: int) -> None:
    _, data = Connection().start_call(HEALTH_PREFIX, b"", 0, flags)
    assert data[8:10] == bytes((0x01, flags))


def test_frames_split_at_every_byte_give_the_same_events() -> None:
    wire = frame(1, DATA, 0, b"one") + frame(1, DATA, NO_DATA, b"") + frame(1, RESPONSE, 0, b"\x0a\x02\x08\x05")
    connection = Connection()
    connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_CLOSED)
    events = []
    for byte in wire:
        events += connection.receive(bytes((byte,)))
    assert events == [MessageReceived(1, b"one"), StreamEnded(1, StatusCode.NOT_FOUND, "", b"")]


def test_frames_of_unknown_streams_and_unknown_types_are_dropped() -> None:
    connection = Connection()
    connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_CLOSED)
    wire = frame(9, DATA, 0, b"stray") + frame(1, 0x42, 0, b"new type") + frame(1, DATA, 0, b"kept")
    assert connection.receive(wire) == [MessageReceived(1, b"kept")]


def test_a_frame_over_the_limit_is_a_protocol_error_from_its_header() -> None:
    connection = Connection(max_frame_size=64)
    connection.start_call(HEALTH_PREFIX, b"", 0, 0)
    with pytest.raises(ProtocolError):
        connection.receive(HEADER.pack(65, 1, RESPONSE, 0))  # no payload needed: the header says it


def test_a_request_over_the_limit_is_refused_before_it_is_sent() -> None:
    connection = Connection(max_frame_size=64)
    with pytest.raises(PeerdError) as raised:
        connection.start_call(HEALTH_PREFIX, b"x" * 64, 0, 0)
    assert raised.value.code == StatusCode.RESOURCE_EXHAUSTED
    assert connection.open_streams == 0
    assert connection.start_call(HEALTH_PREFIX, b"", 0, 0)[0] == 1  # the id was not used


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", (StatusCode.OK, "", b"")),
        (b"\x12\x01z", (StatusCode.OK, "", b"z")),
        (b"\x0a\x07\x08\x05\x12\x03abc", (StatusCode.NOT_FOUND, "abc", b"")),
        (b"\x0a\x02\x08\x63", (StatusCode.UNKNOWN, "", b"")),  # code 99: not gRPC's
        (b"\x0a\x0b\x08" + b"\xff" * 9 + b"\x01", (StatusCode.UNKNOWN, "", b"")),  # -1, sign-extended
        (b"\x0a\x04\x12\x02\xff\xfe", (StatusCode.OK, "\ufffd\ufffd", b"")),  # bad UTF-8 is replaced
        (b"\x0a\x03\x1a\x01\x00\x12\x00", (StatusCode.OK, "", b"")),  # details skipped
    ],
)
def test_response_envelopes(payload: bytes, expected: tuple[StatusCode, str, bytes]) -> None:
    assert decode_response(payload) == expected


@pytest.mark.parametrize(
    "payload",
    [b"\x0a", b"\x0a\x05\x08", b"\x12\x80", b"\x0a\x02\x08\xff", b"\x0f", b"\x08" + b"\xff" * 11],
)
def test_malformed_response_envelopes_are_protocol_errors(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_response(payload)


def test_data_close_send_and_cancel_frames() -> None:
    connection = Connection()
    stream_id, _ = connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_OPEN)
    assert connection.send_message(stream_id, b"m") == frame(stream_id, DATA, 0, b"m")
    assert connection.close_send(stream_id) == frame(stream_id, DATA, REMOTE_CLOSED | NO_DATA, b"")
    assert connection.close_send(stream_id) == b""
    with pytest.raises(PeerdError):
        connection.send_message(stream_id, b"late")
    assert connection.cancel(stream_id, "bye") == frame(stream_id, CANCEL, 0, b"\x0a\x03bye")
    connection.receive(frame(stream_id, RESPONSE, 0, b""))
    assert connection.cancel(stream_id) == b""  # ended: nothing to cancel


def test_server_streams_take_no_data_from_the_client() -> None:
    connection = Connection()
    stream_id, _ = connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_CLOSED)
    with pytest.raises(PeerdError):
        connection.send_message(stream_id, b"m")
    assert connection.close_send(stream_id) == b""


def test_a_lost_connection_ends_every_open_stream_unavailable() -> None:
    connection = Connection()
    first, _ = connection.start_call(HEALTH_PREFIX, b"", 0, 0)
    second, _ = connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_CLOSED)
    events = connection.fail_all("gone")
    assert events == [StreamEnded(first, StatusCode.UNAVAILABLE, "gone", b""), StreamEnded(second, StatusCode.UNAVAILABLE, "gone", b"")]
    assert connection.open_streams == 0


def test_keyword_arguments_given_as_none_leave_fields_unset() -> None:
    from peerd import peermanager_pb2 as pm
    from peerd._calls import build_request

    request = build_request(pm.ListPeersRequest, None, protocol="/p", cluster_id=None, connectedness=None, page_size=None)
    assert request.protocol == "/p"
    assert not request.HasField("cluster_id") and not request.HasField("connectedness")
    assert build_request(pm.ListPeersRequest, None, cluster_id=0).HasField("cluster_id")  # 0 is a value
    given = pm.ListPeersRequest(protocol="/q")
    assert build_request(pm.ListPeersRequest, given, protocol=None) is given
    with pytest.raises(TypeError):
        build_request(pm.ListPeersRequest, given, protocol="/r")
    with pytest.raises(TypeError):
        build_request(pm.ListPeersRequest, pm.GetPeerRequest())


def test_whole_frames_parse_without_copying_and_partial_ones_wait() -> None:
    connection = Connection()
    first, _ = connection.start_call(HEALTH_PREFIX, b"", 0, REMOTE_CLOSED)
    one = frame(first, DATA, 0, b"a")
    assert connection.receive(one + one[:4]) == [MessageReceived(first, b"a")]
    assert connection.receive(one[4:]) == [MessageReceived(first, b"a")]
    assert connection.receive(b"") == []
