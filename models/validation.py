"""Shape checks shared by schemas: mainland mobile numbers and GB 11643 resident IDs (pure Python)."""
from __future__ import annotations

import unicodedata
from datetime import date

import phonenumbers
from stdnum import numdb
from stdnum.cn import ric
from stdnum.util import clean

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


# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, GB 11643 numbers
# since 2018) carry these region codes.
RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
EARLIEST_BIRTH = date(1900, 1, 1)


def region_code_ever_existed(code: str) -> bool:
    """A county-level code that existed at any time (GB/T 2260, every edition python-stdnum knows).

    python-stdnum's `cn.ric` also demands that the code existed in the birth year, which refuses
    real people: an ID number keeps the code of the place that assigned it, so a resident of
    龙游县 born in 1962 carries 330825, a code from 1985 (DESIGN rule 15).
    """
    if code in RESIDENCE_PERMIT_REGIONS:
        return True
    info = dict(prop for _, props in numdb.get("cn/loc").info(code) for prop in props.items())
    return bool(info.get("county"))


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """GB 11643-1999 18-digit citizen identity number (or a HK/MO/TW residence-permit number):
    length and digits, ISO 7064 MOD 11-2 check digit, a real birth date (not in the future when
    `today` is given), and a region code that has ever existed. Spaces and dashes people type
    between groups of digits (full-width ones too) are dropped. Returns it upper-cased; raises
    ValueError saying which part is wrong."""
    number = "".join(ch for ch in clean(raw or "", " -")  # any dash or space, full-width ones too
                     if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()
    if len(number) == 15 and number.isdigit():
        raise ValueError("15 位的第一代身份证号码已停止使用，请填写 18 位身份证号码")
    if len(number) != 18:
        raise ValueError("身份证号码应为 18 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError("身份证号码格式不正确：前 17 位应为数字，最后一位为数字或 X")
    if number[17] != ric.calc_check_digit(number):
        raise ValueError("身份证号码校验位错误，请核对是否输错")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValueError("身份证号码中的出生日期无效") from exc
    if born < EARLIEST_BIRTH or (today is not None and born > today):
        raise ValueError("身份证号码中的出生日期无效")
    if not region_code_ever_existed(number[:6]):
        raise ValueError("身份证号码中的地区码不存在")
    return number
