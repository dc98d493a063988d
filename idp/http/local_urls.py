"""Where the hub may send a browser back to after a step (the language switch's
``next``, any return address a page is given): a path on the hub itself, decided in
this one place.

A browser reads a URL more loosely than Python does (the WHATWG URL standard): it drops
tabs and newlines anywhere, reads ``\\`` as ``/``, and ``//host`` or ``/\\host`` is
another site. So a return address is refused (the default is used instead) when it, or
any percent-decoding of it, holds a control character or a backslash, does not start with
one ``/``, or names a scheme or a host.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from werkzeug.urls import iri_to_uri

_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f\\]")
#: Decoding more layers than this is itself a sign of a crafted address.
_DECODE_LAYERS = 4


def _is_local_path(decoded: str) -> bool:
    if _CONTROL_OR_BACKSLASH.search(decoded):
        return False
    if not decoded.startswith("/") or decoded.startswith("//"):
        return False
    parts = urlsplit(decoded)
    return not parts.scheme and not parts.netloc


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this hub after a browser's own parsing (and every
    percent-decoding of it), as an ASCII URI; otherwise ``default``."""
    if not target:
        return default
    decoded = target
    for _ in range(_DECODE_LAYERS):
        if not _is_local_path(decoded):
            return default
        once_more = unquote(decoded)
        if once_more == decoded:
            return iri_to_uri(target)
        decoded = once_more
    return default
