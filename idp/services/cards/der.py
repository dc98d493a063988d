"""Just enough DER for the parts of a card certificate ``cryptography`` leaves raw:
the Subject Directory Attributes extension (RFC 5280 section 4.2.1.8), where HCA
certificates say whether they belong to an institution or a person."""

from __future__ import annotations

from collections.abc import Iterable

SEQUENCE = 0x30
SET = 0x31
OID = 0x06
STRING_TAGS = frozenset({0x0C, 0x13, 0x16, 0x1E})  # UTF8, Printable, IA5, BMP


class DerError(ValueError):
    pass


def _read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    if pos + 2 > len(data):
        raise DerError("truncated")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if not 1 <= size <= 4 or pos + size > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    end = pos + length
    if end > len(data):
        raise DerError("truncated")
    return tag, data[pos:end], end


def children(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) items one after another in ``data``."""
    return [(tag, content) for tag, content, _ in elements(data)]


def elements(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """The (tag, content, whole encoding) items one after another in ``data``."""
    items = []
    pos = 0
    while pos < len(data):
        start = pos
        tag, content, pos = _read(data, pos)
        items.append((tag, content, data[start:pos]))
    return items


def decode_oid(content: bytes) -> str:
    if not content:
        raise DerError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def decode_value(tag: int, content: bytes) -> str:
    """An attribute value as text: an OID in dotted form, or a string."""
    if tag == OID:
        return decode_oid(content)
    if tag == 0x1E:
        return content.decode("utf-16-be")
    if tag in STRING_TAGS:
        return content.decode("utf-8")
    raise DerError(f"unexpected value tag {tag:#x}")


def directory_attributes(extension_value: bytes) -> dict[str, list[str]]:
    """``SEQUENCE OF Attribute { type OID, values SET OF ANY }`` as {type: [values]}."""
    [(tag, body)] = children(extension_value)
    if tag != SEQUENCE:
        raise DerError("not a SEQUENCE")
    found: dict[str, list[str]] = {}
    for attr_tag, attribute in children(body):
        parts = children(attribute)
        if attr_tag != SEQUENCE or len(parts) != 2 or parts[0][0] != OID or parts[1][0] != SET:
            raise DerError("not an Attribute")
        values = found.setdefault(decode_oid(parts[0][1]), [])
        values.extend(decode_value(t, c) for t, c in children(parts[1][1]))
    return found


# Encoding, for the development CA -----------------------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def encode_oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _tlv(OID, bytes(body))


def encode_directory_attributes(attributes: Iterable[tuple[str, str]]) -> bytes:
    """Attributes whose values are OIDs, as HCA's certificate-kind attribute is."""
    body = b"".join(
        _tlv(SEQUENCE, encode_oid(kind) + _tlv(SET, encode_oid(value)))
        for kind, value in attributes
    )
    return _tlv(SEQUENCE, body)
