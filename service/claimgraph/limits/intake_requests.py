"""How much of a request has come in, for the buffering intake (service/claimgraph/limits/intake.py):
whether the bytes read so far are a whole request, how large a body to wait for, and the socket
that hands gunicorn the buffered bytes first."""

from __future__ import annotations

import re
import socket
from typing import Any

#: Headers larger than this are handed over as they are, for gunicorn's parser to refuse (431/414/400).
HEADER_CAP = 65536
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:.*chunked", re.IGNORECASE | re.MULTILINE)
EXPECT_CONTINUE = re.compile(rb"^expect[ \t]*:[ \t]*100-continue[ \t]*\r\n", re.IGNORECASE | re.MULTILINE)
NOT_HTTP = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 38\r\n"
    b"Connection: close\r\n\r\nBad Request: this is not HTTP/1.x text\n"
)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_INGESTION = re.compile(rb"^(?:POST|PUT) /api/articles(?:[/?][^ ]*)? HTTP/")
_BEARER = re.compile(rb"^authorization[ \t]*:[ \t]*bearer[ \t]", re.IGNORECASE | re.MULTILINE)


def body_limit(buffer: bytes | bytearray, max_body: int, max_ingest: int) -> int:
    r"""The largest body to wait for: ``max_ingest`` for an ingestion with a bearer token, else ``max_body``.

    >>> body_limit(b"PUT /api/articles/x HTTP/1.1\r\nAuthorization: Bearer t\r\n", 10, 99)
    99
    >>> body_limit(b"POST /api/articles HTTP/1.1\r\nHost: x\r\n\r\n", 10, 99)
    10
    >>> body_limit(b"POST /sparql HTTP/1.1\r\nAuthorization: Bearer t\r\n", 10, 99)
    10
    """
    if not _INGESTION.match(buffer):
        return max_body
    end = buffer.find(b"\r\n\r\n")
    head = bytes(buffer[: end if end >= 0 else HEADER_CAP])
    return max(max_body, max_ingest) if _BEARER.search(head) else max_body


def request_state(buffer: bytes | bytearray, max_body: int) -> str:
    """``"ready"`` when the buffer holds a whole request (or as much as should be waited for),
    ``"bad"`` when it cannot be HTTP/1.x, ``"expect"`` when the client waits for 100 Continue,
    else ``"wait"``.

    >>> request_state(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n", 100)
    'wait'
    >>> request_state(b"GET / HTTP/1.1\\r\\n\\r\\n", 100)
    'ready'
    >>> request_state(b"POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\nab", 100)
    'wait'
    >>> request_state(b"POST / HTTP/1.1\\r\\nContent-Length: 500\\r\\n\\r\\nab", 100)
    'ready'
    >>> request_state(b"POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\nabcde", 100)
    'ready'
    >>> request_state(b"\\x16\\x03", 9)
    'bad'
    """
    if buffer and not (65 <= buffer[0] <= 90):  # every method is upper-case letters
        return "bad"
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return "ready" if len(buffer) > HEADER_CAP else "wait"
    head, body = bytes(buffer[: end + 2]), len(buffer) - end - 4
    if _CHUNKED.search(head):
        if body > max_body or buffer.endswith(b"0\r\n\r\n"):
            return "ready"
    else:
        length = _CONTENT_LENGTH.search(head)
        wanted = int(length.group(1)) if length else 0
        if wanted > max_body or body >= wanted:
            return "ready"
    return "expect" if EXPECT_CONTINUE.search(head) else "wait"


class BufferedSocket:
    """The client's socket, whose first bytes come from the buffer the loop read."""

    def __init__(self, sock: socket.socket, data: bytes, record: int = 0) -> None:
        self._sock = sock
        self._data = data
        self._closing = False
        #: What was sent, while ``record`` bytes or fewer (an answer the intake may keep: intake_answers.py).
        self.sent: list[bytes] | None = [] if record > 0 else None
        self._room = record

    def sendall(self, data: bytes, flags: int = 0) -> None:
        if self.sent is not None:
            self._room -= len(data)
            if self._room < 0:
                self.sent = None  # too large to keep
            else:
                self.sent.append(bytes(data))
        self._sock.sendall(data, flags)

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self._data:
            chunk, self._data = self._data[:size], self._data[size:]
            return chunk
        if self._closing:
            # gunicorn lingers up to 2 s after an answer for the client to close, reading what it still
            # sends; the whole request was read already, so a client that keeps the connection open
            # does not get to hold the worker that long.
            return b""
        return self._sock.recv(size, flags)

    def shutdown(self, how: int) -> None:
        self._closing = True
        self._sock.shutdown(how)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)
