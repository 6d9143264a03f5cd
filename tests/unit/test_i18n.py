"""The English catalogue covers every notification template and every timeline message template."""
from __future__ import annotations

import re
import string

from app.services import i18n
from app.services.notify import TEMPLATES


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_notification_has_english_with_the_same_placeholders():
    assert set(i18n.NOTIFICATIONS_EN) == set(TEMPLATES)
    for key, zh in TEMPLATES.items():
        assert _names(i18n.NOTIFICATIONS_EN[key]) == _names(zh), key
    params = {"number": "330825-20261124-00001-3", "problems": "「养老金」BANK_CARD：请提供一类银行卡"}
    text = i18n.notification_text("materials_requested", params, "【最多跑一次】…", "en")
    assert text.startswith("Your application 330825-20261124-00001-3 needs materials") and "一类银行卡" in text
    assert i18n.notification_text("materials_requested", params, "【最多跑一次】…", "zh-CN") == "【最多跑一次】…"


def test_every_timeline_template_translates_with_its_values_carried_over():
    for zh, en in i18n.TIMELINE:
        values = {name: f"V{n}" for n, name in enumerate(sorted(_names(zh)))}
        assert i18n.timeline_message(zh.format(**values), "en") == en.format(**values), zh
        assert i18n.timeline_message(zh.format(**values), "zh-CN") == zh.format(**values)
    assert i18n.timeline_message("未知的消息", "en") == "未知的消息"


def test_the_services_write_no_timeline_message_the_catalogue_lacks():
    """Every literal message a service writes matches a catalogue template (f-string parts as values)."""
    import pathlib

    source = "".join(p.read_text() for p in pathlib.Path("app/services").glob("*.py"))
    # whole literals (a literal continued with `+` is a prefix; its full forms are in the catalogue tests)
    literals = re.findall(r'message\s?=\s?f?"([^"]+)"(?!\s*\+)', source)
    assert len(literals) > 20
    for literal in literals:
        sample = re.sub(r"\{[^}]*\}", "X", literal)
        assert i18n.timeline_message(sample, "en") != sample, literal
