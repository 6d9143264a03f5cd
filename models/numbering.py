"""Application numbers: hall region, Shanghai date, a daily sequence and a Damm check digit.

330825-20261123-00042-7 reads aloud in groups; the Damm digit catches every single mistyped digit
and every swap of two adjacent digits.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from stdnum import damm

from models.base import Base

_FORMAT = re.compile(r"^(\d{6})-(\d{8})-(\d{5,})-(\d)$")


def make_number(region_code: str, day: date, sequence: int) -> str:
    body = f"{region_code}{day:%Y%m%d}{sequence:05d}"
    return f"{region_code}-{day:%Y%m%d}-{sequence:05d}-{damm.calc_check_digit(body)}"


def is_valid_number(number: str) -> bool:
    match = _FORMAT.match(number.strip())
    if not match:
        return False
    return damm.is_valid("".join(match.groups()))


def sequence_prefix(region_code: str, day: date) -> str:
    return f"{region_code}{day:%Y%m%d}"


class NumberSequence(Base):
    """Per hall region and day, the last sequence handed out for application numbers."""

    __tablename__ = "number_sequences"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
