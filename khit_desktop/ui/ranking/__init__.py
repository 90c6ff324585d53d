"""Xếp hạng: the ranking of a round, group by group, with what is not final yet."""
