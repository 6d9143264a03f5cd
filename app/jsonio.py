"""JSON in at the edge: refuse what no column or response can hold, before any view reads it.

A lone UTF-16 surrogate (`"\\udfff"`) decodes to a Python string that cannot be encoded as UTF-8
again: stored, it made every later response that showed it a 500. Ten thousand nested arrays blow
the parser's recursion; a 5,000-digit number trips Python's int limit. Each is refused here as
400 `malformed_json`, never a 500.
"""
from __future__ import annotations

import json
import re

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64  # the deepest real body (a bundle form with an address) is 4
MAX_INT_DIGITS = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


class HostileJSON(ValueError):
    """A body that parses but cannot be kept (Flask turns a ValueError into 400)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise HostileJSON(f"integer longer than {MAX_INT_DIGITS} digits")
    return int(text)


def _check(value) -> None:
    """Walk without recursion: depth and text checked for every container and string."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise HostileJSON("lone UTF-16 surrogate in a string")
        elif isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise HostileJSON(f"nested deeper than {MAX_DEPTH}")
            stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise HostileJSON(f"nested deeper than {MAX_DEPTH}")
            stack.extend((v, depth + 1) for v in item)


def strict_loads(data: str | bytes, **kwargs):
    """json.loads that refuses surrogates, deep nesting and huge integers with a ValueError."""
    try:
        value = json.loads(data, parse_int=_parse_int, **kwargs)
    except RecursionError as exc:
        raise HostileJSON(f"nested deeper than {MAX_DEPTH}") from exc
    _check(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def loads(self, s: str | bytes, **kwargs):
        return strict_loads(s, **kwargs)
