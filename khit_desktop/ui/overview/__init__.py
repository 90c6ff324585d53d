"""Tổng quan: the council chair's home screen — where the round stands, what still blocks
the publication, how the year compares with the last, and a link to every open item."""

from .overview_panel import OverviewPanel

__all__ = ["OverviewPanel"]
