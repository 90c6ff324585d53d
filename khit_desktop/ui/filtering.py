"""Re-filtering a proxy model the way the running Qt version wants."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSortFilterProxyModel


@contextmanager
def filter_change(proxy: QSortFilterProxyModel) -> Iterator[None]:
    """Wrap a change of the filter's criteria (Qt ≥ 6.9: begin/endFilterChange; older Qt:
    invalidateFilter, deprecated since)."""
    begin = getattr(proxy, "beginFilterChange", None)
    if begin is None:
        yield
        proxy.invalidateFilter()
        return
    begin()
    yield
    proxy.endFilterChange()
