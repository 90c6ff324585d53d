"""Số liệu chung (general data) and the ratio rules that take their denominator from it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.criteria import Criterion, RuleKind
from ..store.models import GeneralValue


@dataclass(frozen=True)
class GeneralFigure:
    self_value: Decimal | None
    appraised_value: Decimal | None
    reason: str = ""

    @property
    def effective(self) -> Decimal | None:
        """What the appraisal uses: the appraised figure, else the agency's own."""
        return self.appraised_value if self.appraised_value is not None else self.self_value


def load_general(
    session: Session, round_id: int, agency_ids: Iterable[int]
) -> dict[int, dict[str, GeneralFigure]]:
    ids = list(agency_ids)
    rows = session.scalars(
        select(GeneralValue).where(
            GeneralValue.round_id == round_id, GeneralValue.agency_id.in_(ids)
        )
    ).all()
    result: dict[int, dict[str, GeneralFigure]] = {i: {} for i in ids}
    for row in rows:
        result[row.agency_id][row.code] = GeneralFigure(
            row.self_value, row.appraised_value, row.reason
        )
    return result


def general_versions(session: Session, round_id: int, agency_id: int) -> dict[str, int]:
    """Each general datum's row version (issue 9): a screen keeps it and passes it back as
    ``expected_version``; a datum without a row is absent (its expected version is 0)."""
    rows = session.execute(
        select(GeneralValue.code, GeneralValue.version).where(
            GeneralValue.round_id == round_id, GeneralValue.agency_id == agency_id
        )
    ).all()
    return {code: version for code, version in rows}


def locked_general(
    session: Session, round_id: int, agency_id: int, code: str
) -> GeneralValue | None:
    """The datum's row read again and locked (``SELECT … FOR UPDATE`` on PostgreSQL), so two
    saves of one datum queue and the second sees the first's version."""
    return session.scalar(
        select(GeneralValue)
        .where(
            GeneralValue.round_id == round_id,
            GeneralValue.agency_id == agency_id,
            GeneralValue.code == code,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def uses_general(criterion: Criterion) -> str | None:
    """The general datum a leaf's ratio divides by, if any."""
    rule = criterion.rule
    if rule is not None and rule.kind is RuleKind.RATIO and rule.denominator:
        return rule.denominator
    return None


def with_denominator(
    criterion: Criterion, answer: Mapping[str, Any], value: Decimal | None
) -> dict[str, Any]:
    """The answer with b taken from the general datum (when the rule names one and the
    datum is known); otherwise the answer as it is."""
    filled = dict(answer)
    if uses_general(criterion) and value is not None:
        filled["denominator"] = str(value)
    return filled
