"""A form's total as a compiled function of its leaf points: the areas where no cap or gate
can bind are sums of slices of the points listed in the form's order (``compile_list_totals``);
caps and gates are applied only where they can matter. Equal to ``domain.criteria.
tree_totals`` (Hypothesis tests in tests/services/test_overview_speed.py)."""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from operator import gt

from ..domain.criteria import (
    Criterion,
    FormTree,
)
from ..domain.numbers import ZERO, points
from .errors import ServiceError

BLANK = Decimal(0)  # no points on one side: counts 0, in the totals as in the differences
Totals = Callable[[Mapping[str, Decimal]], Decimal]
ListTotals = Callable[[Sequence[Decimal]], Decimal]
_Part = Callable[[Sequence[Decimal]], Decimal]


def _flat(node: Criterion) -> bool:
    """No cap or gate can bind anywhere in ``node``: its value is the sum of its leaves."""
    if node.is_leaf:
        return True
    fits = sum((c.max_points for c in node.children), ZERO) <= node.max_points
    return node.gate is None and fits and all(_flat(c) for c in node.children)


def _spans(tree: FormTree) -> dict[str, tuple[int, int]]:
    """Each node's leaves as a slice of ``tree.leaves()`` (a node's leaves follow each
    other in that order)."""
    spans: dict[str, tuple[int, int]] = {}
    count = 0

    def visit(node: Criterion) -> None:
        nonlocal count
        start = count
        if node.is_leaf:
            count += 1
        for child in node.children:
            visit(child)
        spans[node.code] = (start, count)

    for area in tree.areas:
        visit(area)
    return spans


def _slice_sum(start: int, end: int) -> _Part:
    return lambda values: sum(values[start:end], BLANK)


def _node_total(node: Criterion, spans: dict[str, tuple[int, int]]) -> _Part:
    """A node's points: its flat children as sums of slices of leaves; the others (and the
    gate) each on their own, then the gate and the cap."""
    if _flat(node):
        return _slice_sum(*spans[node.code])
    gate, maximum = node.gate, node.max_points
    runs: list[tuple[int, int]] = []  # the flat children, as runs of consecutive leaves
    parts: list[_Part] = []
    gate_part: _Part | None = None
    for child in node.children:
        start, end = spans[child.code]
        if child.code == gate:
            gate_part = _node_total(child, spans)
        elif not _flat(child):
            parts.append(_node_total(child, spans))
        elif runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    slices = [slice(start, end) for start, end in runs]

    def capped(values: Sequence[Decimal]) -> Decimal:
        opened = ZERO if gate_part is None else gate_part(values)
        if gate is not None and opened == 0:
            return ZERO  # the other children count for nothing
        got = [part(values) for part in parts]
        got += [sum(values[cut], BLANK) for cut in slices]
        return min(sum(got, opened), maximum)

    return capped


def compile_list_totals(tree: FormTree) -> ListTotals:
    """A function giving ``tree_totals(tree, leaves).total`` for the leaf points as a list in
    ``tree.leaves()`` order (a blank leaf ``BLANK``; items after the leaves are counted
    nowhere): the areas where no cap or gate can bind add up as one sum; caps and gates are
    applied where they can matter. Leaf points outside 0..maximum are refused, as
    ``tree_totals`` refuses them."""
    leaves = list(tree.leaves())
    count = len(leaves)
    codes = [leaf.code for leaf in leaves]
    maxima = [leaf.max_points for leaf in leaves]
    spans = _spans(tree)
    # the areas where no cap or gate binds as runs of consecutive leaves; the others apart
    runs: list[tuple[int, int]] = []
    bound: list[_Part] = []
    for area in tree.areas:
        start, end = spans[area.code]
        if not _flat(area):
            bound.append(_node_total(area, spans))
        elif runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    cuts = [slice(start, end) for start, end in runs]
    whole = cuts == [slice(0, count)]

    def check(values: Sequence[Decimal]) -> None:
        for code, value, maximum in zip(codes, values, maxima, strict=False):
            if not ZERO <= value <= maximum:
                raise ServiceError(
                    f"Dữ liệu điểm đã lưu không tính được: Tiêu chí {code}: điểm vượt điểm tối đa."
                )

    def total(values: Sequence[Decimal]) -> Decimal:
        mine = values[:count]
        if mine and (any(map(gt, mine, maxima)) or min(mine) < ZERO):
            check(mine)
        if whole:
            return points(sum(mine, ZERO))
        result = ZERO
        for cut in cuts:
            result += sum(mine[cut], ZERO)
        for area in bound:
            result += area(mine)
        return points(result)

    return total


def compile_totals(tree: FormTree) -> Totals:
    """``compile_list_totals`` for leaf points by code (codes that are not leaves of the tree
    are counted nowhere, as in ``tree_totals``)."""
    codes = [leaf.code for leaf in tree.leaves()]
    total = compile_list_totals(tree)
    return lambda values: total([values.get(code, BLANK) for code in codes])
