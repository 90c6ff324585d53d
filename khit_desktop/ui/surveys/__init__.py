"""Khảo sát: field surveys, explanations (giải trình) and the council's decisions."""
