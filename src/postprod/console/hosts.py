"""Which addresses are this machine's own: the console and its control surfaces listen on
loopback unless told otherwise, and say so when they are told (no web framework here, so
the command line can ask before it loads one)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.0.0.0/8`` or ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
