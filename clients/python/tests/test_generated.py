"""The committed generated code is what scripts/lib/gen_python.sh makes of proto/ today, and the
typed methods agree with the service descriptors of the contract."""

from __future__ import annotations

import filecmp
import inspect
import subprocess
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

import peerd
from conftest import REPO
from peerd import RPCKind, _methods
from peerd._gen.grpc.health.v1 import health_service_pb2
from peerd._gen.waku.peermanager.v1 import peermanager_service_pb2

PACKAGE = REPO / "clients" / "python" / "src" / "peerd"


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_generated_code_is_fresh() -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([str(REPO / "scripts" / "lib" / "gen_python.sh"), "--out", out], check=True)
        fresh = Path(out)
        assert _files(fresh / "_gen") == _files(PACKAGE / "_gen"), "run scripts/gen-proto"
        stale = [name for name in _files(fresh / "_gen") if not filecmp.cmp(fresh / "_gen" / name, PACKAGE / "_gen" / name, shallow=False)]
        assert stale == [], f"stale: {stale}; run scripts/gen-proto"
        assert (fresh / "_methods.py").read_text() == (PACKAGE / "_methods.py").read_text(), "run scripts/gen-proto"


def _contract() -> list[tuple[str, str, RPCKind, str, str]]:
    rows = []
    for module in (health_service_pb2, peermanager_service_pb2):
        file_proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(file_proto)
        for service in file_proto.service:
            for method in service.method:
                kind = (
                    RPCKind.BIDI_STREAMING
                    if method.client_streaming and method.server_streaming
                    else RPCKind.SERVER_STREAMING if method.server_streaming else RPCKind.UNARY
                )
                service_name = f"{file_proto.package}.{service.name}"
                rows.append((service_name, method.name, kind, method.input_type[1:], method.output_type[1:]))
    return rows


def test_methods_agree_with_the_service_descriptors() -> None:
    ours = [
        (m.service, m.method, m.kind, m.request_type.DESCRIPTOR.full_name, m.response_type.DESCRIPTOR.full_name)
        for m in peerd.METHODS
    ]
    assert sorted(ours, key=str) == sorted(_contract(), key=str)


def test_every_rpc_has_a_method_on_both_clients() -> None:
    stubs = {
        "grpc.health.v1.Health": (_methods.Health, _methods.AsyncHealth),
        "waku.peermanager.v1.Host": (_methods.Host, _methods.AsyncHost),
        "waku.peermanager.v1.PeerManager": (_methods.PeerManager, _methods.AsyncPeerManager),
    }
    for info in peerd.METHODS:
        name = "".join("_" + c.lower() if c.isupper() else c for c in info.method).lstrip("_")
        sync_stub, async_stub = stubs[info.service]
        sync_method, async_method = getattr(sync_stub, name), getattr(async_stub, name)
        assert inspect.iscoroutinefunction(async_method) == (info.kind == RPCKind.UNARY), info
        assert not inspect.iscoroutinefunction(sync_method)
        parameters = inspect.signature(sync_method).parameters
        if info.kind != RPCKind.BIDI_STREAMING:
            fields = [f.name for f in info.request_type.DESCRIPTOR.fields]
            assert [p for p in parameters if p not in ("self", "request", "timeout")] == fields
        assert list(inspect.signature(async_method).parameters) == list(parameters)
