"""Bytes to logical lines: the text repairs of the iCalendar reader (:mod:`microapp.core.ics`).

A UTF-8 BOM, CRLF, LF or bare CR line ends, folded lines (also folds that split a UTF-8
character), UTF-16 files, and bytes that are not UTF-8 (read as Windows-1252, line by line, so
one Latin-1 title does not garble the rest).
"""

from __future__ import annotations

from collections.abc import Iterator

_CHUNK = 1 << 18  # work on 256 KiB at a time: no single C call holds the GIL for long


def _logical_lines(data: bytes) -> Iterator[str]:
    """Unfolded content lines, decoded. Blank lines are dropped (also between a line and its
    continuation, as icalendar does)."""
    pending: list[str] = []
    for physical in _physical_lines(data):
        if physical[:1] == "\ufeff":  # a byte order mark, also one after server noise
            physical = physical[1:]
        if physical[:1] in (" ", "\t"):
            if pending:
                pending.append(physical[1:])
        elif physical.strip():
            if pending:
                yield "".join(pending)
            pending = [physical]
    if pending:
        yield "".join(pending)


def _physical_lines(data: bytes) -> Iterator[str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte order mark (Windows tools)
        text = data.decode("utf-16", errors="replace")
        yield from text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return
    position = 0
    while position < len(data):
        # Chunks end just after a LF, so no line (and no CRLF) is cut between two of them.
        cut = data.find(b"\n", position + _CHUNK)
        cut = len(data) if cut < 0 else cut + 1
        chunk = data[position:cut].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        position = cut
        yield from _decode_lines(_join_split_characters(chunk.split(b"\n")))


def _join_split_characters(lines: list[bytes]) -> list[bytes]:
    """Some exporters fold at exactly 75 bytes, cutting a UTF-8 character in two. Join such a
    line with its continuation at the byte level, before decoding, so the character survives.
    The joined line is marked as not a continuation any more."""
    out: list[bytes] = []
    for line in lines:
        if out and line[:1] in (b" ", b"\t") and _ends_mid_character(out[-1]):
            out[-1] += line[1:]
        else:
            out.append(line)
    return out


def _ends_mid_character(line: bytes) -> bool:
    tail = line[-3:]
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        if byte >= 0xC0:  # a lead byte: how many bytes should follow it?
            need = 1 if byte < 0xE0 else 2 if byte < 0xF0 else 3
            return need >= back
        return False
    return False


def _decode_lines(lines: list[bytes]) -> Iterator[str]:
    try:
        yield from b"\n".join(lines).decode("utf-8").split("\n")
    except UnicodeDecodeError:
        for line in lines:
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                # Not UTF-8: older Outlook and Exchange exports are Windows-1252.
                yield line.decode("cp1252", errors="replace")
