"""Chấm điểm: the scoring grid of one agency at a time."""
