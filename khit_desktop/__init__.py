"""KHIT Desktop: thẩm định, xếp hạng mức độ ứng dụng CNTT (Khánh Hòa)."""

__version__ = "0.1.0"
