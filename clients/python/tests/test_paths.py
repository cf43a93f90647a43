"""The default socket path is peerd's: the rule as a table, and peerd started without --socket
answering on the path the client computes."""

from __future__ import annotations

import pytest

import peerd
from conftest import Peerd


@pytest.mark.parametrize(
    ("uid", "environ", "expected"),
    [
        (0, {"XDG_RUNTIME_DIR": "/run/user/0"}, "/run/peerd/peerd.sock"),
        (1000, {"XDG_RUNTIME_DIR": "/run/user/1000"}, "/run/user/1000/peerd/peerd.sock"),
        (1000, {"XDG_RUNTIME_DIR": "relative"}, "/tmp/peerd-1000/peerd.sock"),
        (1000, {"XDG_RUNTIME_DIR": ""}, "/tmp/peerd-1000/peerd.sock"),
        (1000, {}, "/tmp/peerd-1000/peerd.sock"),
    ],
)
def test_default_socket_path_rule(uid: int, environ: dict[str, str], expected: str) -> None:
    assert peerd.default_socket_path(uid, environ) == expected


def test_peerd_listens_where_the_client_looks(default_path_peerd: tuple[Peerd, dict[str, str]]) -> None:
    server, environ = default_path_peerd
    path = peerd.default_socket_path(environ=environ)
    with peerd.Client(path) as client:
        assert client.peer_manager.get_configuration().socket_path == path == server.socket_path
