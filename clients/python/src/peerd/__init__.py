"""peerd's Python client: ttrpc over peerd's Unix socket, blocking (`Client`) and asyncio
(`AsyncClient`), one typed method per rpc of the contract.

    import peerd
    with peerd.Client() as client:                      # peerd's default socket path
        print(client.peer_manager.get_statistics())
        peer = client.peer_manager.select_peer(protocol="/vac/waku/store/3.0.0").peer

Messages are the generated classes in `peerd.peermanager_pb2` and `peerd.health_pb2`; a call that
does not end OK raises `PeerdError` with `.code` (a `StatusCode`) and `.message`.
"""

from peerd._async import AsyncClient
from peerd._calls import (
    DEFAULT,
    AsyncBidiStream,
    AsyncResponseStream,
    BidiStream,
    MethodInfo,
    ResponseStream,
    RPCKind,
    Timeout,
)
from peerd._gen.grpc.health.v1 import health_pb2 as health_pb2
from peerd._gen.waku.peermanager.v1 import peermanager_pb2 as peermanager_pb2

from peerd._host import (
    AsyncHostSession,
    AsyncUnaryHostSession,
    HostSession,
    UnaryHostSession,
    result_event,
)
from peerd._methods import METHODS
from peerd._paths import default_socket_path
from peerd._status import PeerdError, StatusCode
from peerd._sync import Client

__all__ = [
    "DEFAULT",
    "METHODS",
    "AsyncBidiStream",
    "AsyncClient",
    "AsyncHostSession",
    "AsyncResponseStream",
    "AsyncUnaryHostSession",
    "BidiStream",
    "Client",
    "HostSession",
    "MethodInfo",
    "PeerdError",
    "RPCKind",
    "ResponseStream",
    "StatusCode",
    "Timeout",
    "UnaryHostSession",
    "default_socket_path",
    "health_pb2",
    "peermanager_pb2",
    "result_event",
]
