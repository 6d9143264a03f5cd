"""Every error code the code can raise has a zh-CN and an en message (no fallback to 系统繁忙)."""
import re
from pathlib import Path

from app.errors import HTTP_CODES, MESSAGES

ROOT = Path(__file__).resolve().parents[2]
RAISED = re.compile(r'(?:DomainError|ValidationFailed|Unauthenticated|Forbidden|NotFound|Conflict|TooManyRequests|'
                    r'UpstreamUnavailable|ServiceUnavailable)\(\s*"([a-z_]+)"')


def test_every_raised_code_has_messages():
    codes = set(HTTP_CODES.values())
    for folder in ("app", "blueprints", "models", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(RAISED.findall(path.read_text()))
    missing = sorted(code for code in codes if code not in MESSAGES)
    assert not missing, missing
    for zh, en in MESSAGES.values():
        assert zh and en and zh != en
