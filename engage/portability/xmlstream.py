"""Reading big XML exports element by element, in flat memory, with one-line errors.

``elements(file, wanted)`` yields each finished element whose local name is in ``wanted``
(``item``, ``post`` …) and frees it once the caller moved on, so a 1 GB export needs the
memory of one element. XML errors (truncated file, a NUL byte, bytes that are not UTF-8)
become ``BadSource`` with the line and column. Entities are never expanded beyond XML's own
(expat's default): a file cannot make the parser fetch anything.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterator

from engage.portability.records import BadSource


@dataclass(frozen=True)
class Context:
    """What a parser needs to know about the import: the time, and the site's origins."""

    now: datetime
    origins: tuple[str, ...] = ()


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def child_text(element: ET.Element, name: str) -> str:
    """The text of ``element``'s first child with local name ``name`` ("" when none)."""
    for child in element:
        if local(child.tag) == name:
            return child.text or ""
    return ""


def child(element: ET.Element, name: str) -> ET.Element | None:
    for item in element:
        if local(item.tag) == name:
            return item
    return None


def elements(file: BinaryIO, wanted: set[str], depth: int,
             root_check) -> Iterator[ET.Element]:
    """Finished elements named ``wanted`` that have ``depth`` ancestors (1: children of the
    root); ``root_check(root)`` raises BadSource for a file of another format as soon as its
    root element is read."""
    stack: list[ET.Element] = []
    try:
        for event, element in ET.iterparse(file, events=("start", "end")):
            if event == "start":
                if not stack:
                    root_check(element)
                stack.append(element)
                continue
            stack.pop()
            if len(stack) == depth and local(element.tag) in wanted:
                yield element
                if stack:
                    stack[-1].remove(element)  # free it: the parent holds no finished items
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        raise BadSource(f"the XML is broken at line {line}, column {column} ({reason})") \
            from None
