"""README's "Where each rule lives" names files and, after each file, names defined in it: every
file must exist and every name must still be in its file, so the map cannot rot."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Where each rule lives"


def _rows() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md lost its section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    return rows[1:]  # the header row names no file


def _looks_like_path(token: str) -> bool:
    return "/" in token or token.endswith(".py")


def test_the_map_has_every_rule_asked_for():
    rules = " ".join(row.split("|")[1] for row in _rows())
    for rule in ("Deadlines", "pauses", "calendar", "State machine", "Roles and scopes", "一次性告知", "容缺",
                 "实名", "无证明", "numbers", "Idempotency", "Rate limits", "normalisation", "E-licenses",
                 "webhook", "outbox", "Statistics", "access log"):
        assert rule in rules, f"no row for {rule}"


def test_every_file_exists_and_defines_the_names_after_it():
    problems, checked = [], 0
    for row in _rows():
        current: Path | None = None
        for token in re.findall(r"`([^`]+)`", row):
            if _looks_like_path(token):
                current = ROOT / token
                if not current.exists():
                    problems.append(f"{token}: no such file")
                    current = None
                checked += 1
            elif current is None:
                problems.append(f"{token}: no file named before it")
            elif not re.search(rf"(?<![\w.]){re.escape(token)}\b", current.read_text(encoding="utf-8")):
                problems.append(f"{token}: not in {current.relative_to(ROOT)}")
            else:
                checked += 1
    assert checked > 40 and not problems, "\n".join(problems)


def test_names_must_be_defined_not_merely_mentioned_for_functions():
    """A function named in the map is defined (def) in its file, not only called there."""
    problems = []
    for row in _rows():
        current: Path | None = None
        for token in re.findall(r"`([^`]+)`", row):
            if _looks_like_path(token):
                current = ROOT / token
            elif current is not None and current.exists() and token[:1].islower():
                source = current.read_text(encoding="utf-8")
                if not re.search(rf"^\s*(async\s+)?def {re.escape(token)}\b|^{re.escape(token)}\s*[:=]", source,
                                 re.MULTILINE):
                    problems.append(f"{token} is not defined in {current.relative_to(ROOT)}")
    assert not problems, "\n".join(problems)
