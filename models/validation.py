"""Shape checks shared by schemas: mainland mobile numbers and GB 11643 resident IDs."""
from __future__ import annotations

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_mobile(raw: str) -> str:
    """'+86 138-0000-0000' -> '13800000000'; raises ValueError with a Chinese reason."""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("手机号码格式不正确") from exc
    if number.country_code != 86 or not phonenumbers.is_valid_number(number) \
            or phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError("请输入有效的中国大陆手机号码")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "").replace("-", "")


def normalize_id_number(raw: str) -> str:
    """GB 11643-1999 18-digit resident ID with its ISO 7064 check digit; returns it upper-cased."""
    try:
        return ric.validate(raw.strip().upper())
    except stdnum_errors.InvalidChecksum as exc:
        raise ValueError("身份证号码校验位错误") from exc
    except stdnum_errors.InvalidComponent as exc:
        raise ValueError("身份证号码中的出生日期或地区码无效") from exc
    except stdnum_errors.ValidationError as exc:
        raise ValueError("身份证号码格式不正确，应为 18 位") from exc
