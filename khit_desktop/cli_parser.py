"""An argparse parser that speaks Vietnamese (usage errors exit with code 2)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_OK, EXIT_USAGE, EXIT_REFUSED, EXIT_DATABASE = 0, 2, 3, 4
EXIT_UNEXPECTED = 1  # an error nobody foresaw: logged with its traceback (crash.py)

_PHRASES = (
    ("the following arguments are required:", "thiếu tham số bắt buộc:"),
    ("unrecognized arguments:", "tham số không nhận ra:"),
    ("invalid choice:", "giá trị không hợp lệ:"),
    ("choose from", "chọn một trong"),
    ("expected one argument", "cần một giá trị"),
    ("invalid int value:", "không phải số nguyên:"),
    ("not allowed with argument", "không dùng cùng tham số"),
    ("ambiguous option:", "tùy chọn không rõ:"),
    ("could match", "có thể là"),
    ("argument ", "tham số "),
)


def _translate(message: str) -> str:
    for english, vietnamese in _PHRASES:
        message = message.replace(english, vietnamese)
    return message


class VietnameseFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse with Vietnamese headings and error messages."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", VietnameseFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Lỗi cách dùng: {_translate(message)}\n")
