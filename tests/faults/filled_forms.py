"""The fault tests' data: a round with its catalogue, and filled Phiếu for many agencies, two
versions each (so that importing one after the other changes every agency's scores)."""

from __future__ import annotations

import random
from pathlib import Path

from khit_desktop.domain.criteria import FormTree, RuleKind
from khit_desktop.services import catalog, form_exchange, rounds
from khit_desktop.services.form_versions import tree_of
from khit_desktop.store.database import open_database
from khit_desktop.store.models import RoundAgency
from tests.services.test_form_exchange import fill

YEAR = 2020


def realistic(tree: FormTree, rng: random.Random) -> tuple[dict, dict, dict]:
    """(figures, typed points, general data) of one agency, every leaf answered."""
    staff = rng.randint(15, 400)
    general = {"CB": staff, "MT": max(1, int(staff * rng.uniform(0.8, 1.1)))}
    figures: dict[str, object] = {}
    points: dict[str, object] = {}
    for leaf in tree.leaves():
        rule = leaf.rule
        assert rule is not None
        match rule.kind:
            case RuleKind.TYPED:
                points[leaf.code] = rng.randint(0, int(leaf.max_points) * 2) / 2
            case RuleKind.YES_NO:
                figures[leaf.code] = rng.choice(["Có", "Có", "Không"])
            case RuleKind.OPTIONS:
                figures[leaf.code] = rng.choice(rule.options).label
            case RuleKind.RATIO if rule.denominator:
                whole = general.get(rule.denominator, staff)
                figures[leaf.code] = rng.randint(int(whole * 0.6), whole)
            case RuleKind.RATIO:
                b = rng.randint(50, 3000)
                figures[leaf.code] = f"{rng.randint(b // 2, b)}/{b}"
            case RuleKind.TIERS:
                figures[leaf.code] = rng.randint(0, 100)
            case RuleKind.NORMALISED:
                figures[leaf.code] = round(rng.uniform(10, 500), 1)
            case RuleKind.PER_ITEM:
                figures[leaf.code] = rng.randint(0, 8)
            case RuleKind.DEDUCTION:
                figures[leaf.code] = rng.choice([0, 0, 1, 2])
        if leaf.code not in points and rng.random() < 0.3:
            points[leaf.code] = rng.randint(0, int(leaf.max_points))
    return figures, points, general


def build_round(path: Path) -> None:
    """The seed catalogue and round 2020 (every agency, no data), checkpointed."""
    db = open_database(path)
    try:
        catalog.initialise(db)
        rounds.create_round(db, YEAR)
    finally:
        db.dispose()


def write_filled_forms(database: Path, folder: Path, agencies: int, seed: int) -> list[Path]:
    """Two filled forms ("-a", "-b") for each of the first ``agencies`` agencies of the
    round, in the order a worker imports them: every "-a", then every "-b"."""
    db = open_database(database)
    try:
        with db.session() as s:
            members = s.query(RoundAgency).order_by(RoundAgency.id).limit(agencies).all()
            codes = [(m.agency.code, m.group.form_id) for m in members]
        blanks = folder / "trang"
        versions: dict[str, list[Path]] = {"a": [], "b": []}
        for code, form_id in codes:
            assert form_id is not None
            tree = tree_of(db, form_id)
            (blank,) = form_exchange.write_blank_forms(db, YEAR, blanks, agency=code)
            for version, paths in versions.items():
                target = folder / f"{blank.stem}-{version}.xlsx"
                target.write_bytes(blank.read_bytes())
                fill(target, *realistic(tree, random.Random(f"{seed}-{code}-{version}")))
                paths.append(target)
    finally:
        db.dispose()
    return versions["a"] + versions["b"]
