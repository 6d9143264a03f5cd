"""Form fields as the catalogue defines them: type checks and what is still missing, pure Python."""
from __future__ import annotations

from datetime import date

from models.validation import normalize_id_number, normalize_mobile


def clean_value(spec: dict, value, *, today: date | None = None):
    """The stored value for one field, or ValueError with a Chinese reason."""
    kind = spec["type"]
    if value is None:
        return None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("应为数字")
        return value
    if not isinstance(value, str):
        raise ValueError("应为文本")
    value = value.strip()
    if kind == "text":
        if len(value) > 500:
            raise ValueError("不能超过 500 字")
        return value
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError("日期格式应为 YYYY-MM-DD") from exc
    if kind == "choice":
        if value not in (spec.get("options") or []):
            raise ValueError(f"应为以下之一：{'、'.join(spec.get('options') or [])}")
        return value
    if kind == "id_number":
        return normalize_id_number(value, today=today)
    if kind == "phone":
        return normalize_mobile(value)
    raise ValueError(f"未知字段类型 {kind}")


def clean_form(spec: list[dict], values: dict, *, today: date | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Check the fields given (a draft may be partial); unknown names are errors too."""
    by_name = {f["name"]: f for f in spec}
    cleaned, errors = {}, {}
    for name, value in values.items():
        if name not in by_name:
            errors[name] = ["表单中没有此字段"]
            continue
        try:
            cleaned[name] = clean_value(by_name[name], value, today=today)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return cleaned, errors


# Fields that name the applicant, checked against the verified profile (实名): field -> profile part.
APPLICANT_FIELDS = {"applicant_name": "name", "applicant_id_number": "id_number"}


def applicant_mismatches(spec: list[dict], values: dict, *, name: str | None,
                         id_number: str | None) -> dict[str, list[str]]:
    """Fields naming the applicant that differ from the verified profile's name or ID number."""
    profile = {"name": name, "id_number": id_number}
    problems = {}
    for field in spec:
        part = APPLICANT_FIELDS.get(field["name"])
        given = values.get(field["name"])
        if part is None or given in (None, "") or profile[part] is None:
            continue
        if str(given).strip().upper() != profile[part].upper():
            problems[field["name"]] = ["与实名核验的" + ("姓名" if part == "name" else "身份证号") + "不一致"]
    return problems


def missing_fields(spec: list[dict], values: dict) -> list[dict]:
    """Every required field without a value, for the one-time notice (一次性告知)."""
    return [{"name": f["name"], "label": f["label"]} for f in spec
            if f.get("required") and values.get(f["name"]) in (None, "")]
