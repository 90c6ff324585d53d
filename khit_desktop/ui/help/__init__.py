"""Trợ giúp: the user guide in a window beside the program (``show_guide``)."""

from __future__ import annotations

from .guide import GuideWindow, guide_dir, show_guide

__all__ = ["GuideWindow", "guide_dir", "show_guide"]
