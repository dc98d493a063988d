"""Announcement bodies as rich text: the few tags a notice needs, sanitised with nh3
(Ammonia) when saved, so no script, event handler, style or ``javascript:`` link survives
to be shown."""

from __future__ import annotations

import nh3

TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
SCHEMES = {"http", "https", "mailto"}
MAX_LENGTH = 20_000


def sanitise(html: str) -> str:
    """The body as it may be shown: only ``TAGS`` with ``ATTRIBUTES``, links to http(s)
    and mail only, opened without handing the page to the site linked."""
    return nh3.clean(
        html[: MAX_LENGTH * 2],
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
