"""`python -m peerd`: quick calls for people without peerctl.

    python -m peerd health                 # Health/Check of the whole server
    python -m peerd info                   # GetInfo
    python -m peerd stats                  # GetStatistics
    python -m peerd peers [--protocol P]   # ListPeers, every page
    python -m peerd select PROTOCOL [--shard N] [--cluster-id N]
    python -m peerd watch [--decisions] [--peer-events] [--count N]

Messages print as protobuf text, or one JSON object per line with --json. A call that fails
prints its status code name and message and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from google.protobuf import json_format, text_format
from google.protobuf.message import Message

from peerd._paths import default_socket_path
from peerd._status import PeerdError
from peerd._sync import Client


def _show(message: Message, as_json: bool) -> None:
    if as_json:
        print(json_format.MessageToJson(message, indent=None, preserving_proto_field_name=True))
    else:
        # one message per block, blank-line separated, so several (peers, watch) stay readable
        print(text_format.MessageToString(message).rstrip() or "{}")
        print()


def _uint32(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError(f"{text} is not a uint32")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m peerd", description="Quick calls to peerd.")
    parser.add_argument("--socket", default=None, help=f"peerd's socket (default: {default_socket_path()})")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per unary call (default: 10)")
    parser.add_argument("--json", action="store_true", help="print JSON, one message a line")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("health", help="Health/Check of the whole server")
    commands.add_parser("info", help="version, protocol, services, limits")
    commands.add_parser("stats", help="GetStatistics")
    peers = commands.add_parser("peers", help="ListPeers (every page)")
    peers.add_argument("--protocol", default="", help="only peers with this protocol")
    peers.add_argument("--prefix", action="store_true", help="match --protocol as a prefix")
    select = commands.add_parser("select", help="SelectPeer for a protocol")
    select.add_argument("protocol")
    select.add_argument("--shard", type=_uint32, default=None)
    select.add_argument("--cluster-id", type=_uint32, default=None)
    watch = commands.add_parser("watch", help="Watch decisions and peer events until interrupted")
    watch.add_argument("--decisions", action="store_true")
    watch.add_argument("--peer-events", action="store_true")
    watch.add_argument("--count", type=_uint32, default=0, help="stop after this many events (0: never)")
    return parser


def run(arguments: argparse.Namespace) -> int:
    with Client(arguments.socket, timeout=arguments.timeout) as client:
        pm = client.peer_manager
        if arguments.command == "health":
            _show(client.health.check(), arguments.json)
        elif arguments.command == "info":
            _show(pm.get_info(), arguments.json)
        elif arguments.command == "stats":
            _show(pm.get_statistics(), arguments.json)
        elif arguments.command == "peers":
            token = ""
            while True:
                page = pm.list_peers(
                    protocol=arguments.protocol, protocol_prefix=arguments.prefix, page_size=1000, page_token=token
                )
                for peer in page.peers:
                    _show(peer, arguments.json)
                token = page.next_page_token
                if not token:
                    break
        elif arguments.command == "select":
            reply = pm.select_peer(protocol=arguments.protocol, shard=arguments.shard, cluster_id=arguments.cluster_id)
            if not reply.HasField("peer"):
                print("no peer", file=sys.stderr)
                return 1
            _show(reply.peer, arguments.json)
        elif arguments.command == "watch":
            seen = 0
            with pm.watch(decisions=arguments.decisions, peer_events=arguments.peer_events) as events:
                for event in events:
                    _show(event, arguments.json)
                    sys.stdout.flush()
                    seen += 1
                    if arguments.count and seen >= arguments.count:
                        break
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        return run(arguments)
    except PeerdError as error:
        print(f"peerd: {error.code.name}: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
