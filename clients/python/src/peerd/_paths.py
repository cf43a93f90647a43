"""The default socket path: the same rule as peerd's (Sources/PeerdPaths/DefaultPaths.swift)."""

from __future__ import annotations

import os
from collections.abc import Mapping


def default_socket_path(uid: int | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Where a peerd started without --socket listens for this user:
    root: /run/peerd/peerd.sock; others: $XDG_RUNTIME_DIR/peerd/peerd.sock when that is an
    absolute path, else /tmp/peerd-<uid>/peerd.sock."""
    uid = os.getuid() if uid is None else uid
    environ = os.environ if environ is None else environ
    if uid == 0:
        return "/run/peerd/peerd.sock"
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        return f"{runtime}/peerd/peerd.sock"
    return f"/tmp/peerd-{uid}/peerd.sock"
