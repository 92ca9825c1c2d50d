"""Leaving the network: a process moves into a new user and network namespace.

The new network namespace has no interface but a downed loopback, so the process
can open no connection at all, whatever a query asks for. Sockets it already
holds keep working (a socket stays in the namespace it was made in), so a server
worker that leaves after inheriting its listening socket still accepts and
answers clients. Linux allows this to unprivileged processes where user
namespaces are enabled, and only to a single-threaded process.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def leave_network() -> bool:
    """Move this process out of the network; False, and nothing changed, where Linux refuses."""
    uid, gid = os.getuid(), os.getgid()
    unshare = getattr(ctypes.CDLL(None, use_errno=True), "unshare", None)
    if unshare is None or unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    # Without a mapping the process would be "nobody" in its own eyes, and code that compares
    # ids (gunicorn, before it drops privileges) would try to change them and fail. Files are
    # checked against the real ids either way.
    try:
        maps = (("uid_map", f"{uid} {uid} 1"), ("setgroups", "deny"), ("gid_map", f"{gid} {gid} 1"))
        for name, text in maps:
            with open(f"/proc/self/{name}", "w", encoding="ascii") as proc_file:
                proc_file.write(text)
    except OSError as exc:
        log.warning("left the network, but could not map this process's ids into its namespace: %s", exc)
    return True
