"""Column types that keep scores exact on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` stored without loss.

    SQLite has no decimal type (NUMERIC columns become binary floating point), so there the
    value is stored as its canonical text ('849.99'). PostgreSQL gets NUMERIC without
    precision or scale: an exact decimal that keeps the scale it was given ('850.00' stays
    '850.00', '0.625' stays '0.625'), so a value reads back as the same ``Decimal``, digit for
    digit, on both databases (tests/store/test_exact_decimal.py).
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("điểm không bao giờ là số thực dấu phẩy động (float)")
        number = Decimal(value)
        if dialect.name == "sqlite":
            return f"{number:f}"
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)) if dialect.name == "sqlite" else Decimal(value)
