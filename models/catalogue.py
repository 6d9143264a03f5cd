"""The standard catalogue (八统一): departments, halls, carriers, items, materials, bundles."""
from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, enum_column


class HallLevel(enum.StrEnum):
    county = "county"
    township = "township"
    village = "village"


FIELD_TYPES = ("text", "number", "date", "choice", "id_number", "phone")
DELIVERY_OPTIONS = ("window", "post")


def region_prefix(region_code: str) -> str:
    """A 6-digit GB/T 2260 code covers every code starting with it minus its trailing "00" pairs.

    330000 (浙江省) -> "33", 330800 (衢州市) -> "3308", 330825 (龙游县) -> "330825".
    """
    prefix = region_code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def parent_region(region_code: str) -> str | None:
    """The region one level up: 330825 (龙游县) -> 330800 (衢州市) -> 330000 (浙江省) -> None."""
    prefix = region_prefix(region_code)
    if len(prefix) <= 2:
        return None
    return (prefix[:-2] + "0000")[:6]


def region_covers(parent: str, child: str) -> bool:
    return child.startswith(region_prefix(parent))


def _code_as_category(context) -> str:
    return context.get_current_parameters()["code"]


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True, default=_code_as_category, comment=(
        "部门职能: shared by the departments doing the same job in every region (异地可办 routing)"))


class Carrier(Base):
    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))


class Hall(Base):
    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[HallLevel] = mapped_column(enum_column(HallLevel))
    region_code: Mapped[str] = mapped_column(String(6), index=True,
                                             comment="GB/T 2260 administrative division code")
    address: Mapped[str] = mapped_column(String(200))
    hours: Mapped[str] = mapped_column(String(200))


class ElicenseType(Base):
    __tablename__ = "elicense_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(100), comment="the authority that issues it")
    validity_years: Mapped[int | None] = mapped_column(Integer)


class Material(Base):
    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    elicense_type_id: Mapped[int | None] = mapped_column(ForeignKey("elicense_types.id"), index=True)
    formats: Mapped[list[Any]] = mapped_column(default=list)
    max_size_mb: Mapped[int] = mapped_column(Integer, default=10)
    data_check: Mapped[str | None] = mapped_column(String(32), comment="无证明: data source kind that proves it")

    elicense_type: Mapped[ElicenseType | None] = relationship(lazy="joined")


class Item(Timestamps, Base):
    """A standard service item (事项) with every field of 八统一."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("promised_days <= statutory_days", name="promised_within_statutory"),
        CheckConstraint("promised_days >= 0", name="promised_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    main_name: Mapped[str] = mapped_column(String(200), comment="主项名称")
    sub_name: Mapped[str] = mapped_column(String(200), comment="子项名称")
    legal_basis: Mapped[str] = mapped_column(Text, comment="设定依据")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    statutory_days: Mapped[int] = mapped_column(Integer, comment="法定办结时限 (working days)")
    promised_days: Mapped[int] = mapped_column(Integer, comment="承诺办结时限 (working days)")
    max_visits: Mapped[int] = mapped_column(Integer, default=0, comment="最多跑几次")
    mobile: Mapped[bool] = mapped_column(Boolean, default=True, comment="掌上办")
    cross_region: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0",
                                               comment="异地可办: accepted by a hall of another region")
    delivery_options: Mapped[list[Any]] = mapped_column(default=list)
    fee: Mapped[str] = mapped_column(String(200), default="不收费", comment="收费标准")
    result_elicense_type_id: Mapped[int | None] = mapped_column(ForeignKey("elicense_types.id"))
    life_event: Mapped[str | None] = mapped_column(String(32), index=True)
    steps: Mapped[list[Any]] = mapped_column(default=list, comment="办理流程 shown to citizens")
    internal_steps: Mapped[list[Any]] = mapped_column(default=list, comment="内部流程")
    form: Mapped[list[Any]] = mapped_column(default=list, comment="申请表单 fields")

    department: Mapped[Department] = relationship(lazy="joined")
    result_elicense_type: Mapped[ElicenseType | None] = relationship(lazy="joined")
    materials: Mapped[list[ItemMaterial]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ItemMaterial.position",
        lazy="selectin",
    )
    hall_levels: Mapped[list[ItemHallLevel]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ItemHallLevel.level",
    )

    @property
    def level_names(self) -> list[str]:
        return [str(row.level) for row in self.hall_levels]


class ItemHallLevel(Base):
    """Which levels of hall accept the item (some are county-only, many reach the village)."""

    __tablename__ = "item_hall_levels"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[HallLevel] = mapped_column(enum_column(HallLevel), primary_key=True, index=True)


class ItemMaterial(Base):
    __tablename__ = "item_materials"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    commitment_allowed: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="容缺受理: may be supplied after acceptance on a written commitment"
    )

    item: Mapped[Item] = relationship(back_populates="materials")
    material: Mapped[Material] = relationship(lazy="joined")


class Bundle(Timestamps, Base):
    """一件事: what the citizen sees, spanning several departments' items."""

    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    life_event: Mapped[str | None] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[BundleItem]] = relationship(
        back_populates="bundle", cascade="all, delete-orphan", order_by="BundleItem.position",
        lazy="selectin",
    )


class BundleItem(Base):
    __tablename__ = "bundle_items"

    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    depends_on: Mapped[list[Any]] = mapped_column(
        default=list, comment="codes of items in the same bundle that must be approved first"
    )

    bundle: Mapped[Bundle] = relationship(back_populates="items")
    item: Mapped[Item] = relationship(lazy="joined")
