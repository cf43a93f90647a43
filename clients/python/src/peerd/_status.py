"""gRPC status codes as peerd answers them (docs/protocol.md section 5) and the client's error."""

from __future__ import annotations

import enum


class StatusCode(enum.IntEnum):
    """The status code of a finished call: gRPC's codes, carried in google.rpc.Status.code."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, value: int) -> StatusCode:
        """The code for a wire value; a value outside gRPC's table is UNKNOWN (as gRPC maps it)."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


class PeerdError(Exception):
    """A call that ended with a status other than OK: `code` is the StatusCode, `message` peerd's
    text (or the client's, for a local deadline, a lost connection or a refused request)."""

    def __init__(self, code: StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
