"""一件事 bundling rules, pure Python: one merged form, one merged material list, no cycles."""
from __future__ import annotations

from dataclasses import dataclass, field


def find_cycle(depends_on: dict[str, list[str]]) -> list[str] | None:
    """Return one dependency cycle as a path (first == last), or None when the graph is acyclic."""
    white, grey, black = 0, 1, 2
    colour = {node: white for node in depends_on}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = grey
        stack.append(node)
        for dep in depends_on.get(node, []):
            if colour.get(dep, black) == grey:
                return stack[stack.index(dep):] + [dep]
            if colour.get(dep) == white:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        colour[node] = black
        return None

    for node in depends_on:
        if colour[node] == white:
            found = visit(node)
            if found:
                return found
    return None


def merge_form(forms: list[list[dict]]) -> tuple[list[dict], list[str]]:
    """Ask each field once: the first definition wins its place, `required` if any item needs it.

    Returns (fields, names whose type or options disagree between items).
    """
    merged: dict[str, dict] = {}
    conflicts: list[str] = []
    for form in forms:
        for fld in form:
            name = fld["name"]
            if name not in merged:
                merged[name] = dict(fld)
                continue
            seen = merged[name]
            if seen.get("type") != fld.get("type") or (seen.get("options") or None) != (fld.get("options") or None):
                if name not in conflicts:
                    conflicts.append(name)
            seen["required"] = bool(seen.get("required")) or bool(fld.get("required"))
    return list(merged.values()), conflicts


@dataclass
class MergedMaterial:
    code: str
    name: str
    elicense_type: str | None
    formats: list[str]
    max_size_mb: int
    required: bool
    commitment_allowed: bool
    items: list[str] = field(default_factory=list)
    data_check: str | None = None


def merge_materials(rows: list[tuple[str, dict]]) -> list[MergedMaterial]:
    """One material needed by several items is asked once (一次提交).

    It is required if any item requires it, and may be pledged (容缺) only if every item allows it.
    `rows` are (item_code, material dict) in bundle order.
    """
    merged: dict[str, MergedMaterial] = {}
    for item_code, m in rows:
        seen = merged.get(m["code"])
        if seen is None:
            merged[m["code"]] = MergedMaterial(
                code=m["code"], name=m["name"], elicense_type=m.get("elicense_type"),
                formats=list(m.get("formats") or []), max_size_mb=m["max_size_mb"],
                required=bool(m["required"]), commitment_allowed=bool(m["commitment_allowed"]),
                items=[item_code], data_check=m.get("data_check"),
            )
            continue
        seen.required = seen.required or bool(m["required"])
        seen.commitment_allowed = seen.commitment_allowed and bool(m["commitment_allowed"])
        if item_code not in seen.items:
            seen.items.append(item_code)
    return list(merged.values())


def critical_path_days(days: dict[str, int], depends_on: dict[str, list[str]]) -> int:
    """Promised days of a bundle run in parallel (并联): the longest chain of dependent items."""
    memo: dict[str, int] = {}

    def finish(code: str) -> int:
        if code not in memo:
            memo[code] = days[code] + max((finish(d) for d in depends_on.get(code, []) if d in days),
                                          default=0)
        return memo[code]

    return max((finish(code) for code in days), default=0)


def upstream(depends_on: dict[str, list[str]]) -> dict[str, set[str]]:
    """Every item each item waits for, directly or through another (the graph has no cycles)."""
    memo: dict[str, set[str]] = {}

    def walk(code: str) -> set[str]:
        if code not in memo:
            memo[code] = set()
            for dep in depends_on.get(code, []):
                memo[code] |= {dep} | walk(dep)
        return memo[code]

    return {code: walk(code) for code in depends_on}


def produced_upstream(results: dict[str, str | None], depends_on: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each item of a bundle, the certificates an item it waits for will have issued by the time
    it opens. Only these are not asked of the citizen: the producing item itself still needs what
    it needs (出生登记 adds the baby to the parents' existing 户口簿, so it asks for that one), and
    an item running in parallel with the producer cannot count on a certificate not yet issued."""
    before = upstream(depends_on)
    return {code: {results[dep] for dep in before[code] if results.get(dep)} for code in depends_on}
