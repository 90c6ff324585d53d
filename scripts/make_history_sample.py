"""Write the sample published-results workbook users can copy (resources/samples/).

    python scripts/make_history_sample.py

The figures are invented: the file shows the layout ``khit history import`` and the window's
"Nhập kết quả năm trước" read (title lines, header row, section rows, any column order).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khit_desktop.domain.classification import Classification  # noqa: E402
from khit_desktop.exchange.history_rows import SheetRow  # noqa: E402
from khit_desktop.exchange.history_sheet_write import write_published_sheet  # noqa: E402

SAMPLE = ROOT / "resources" / "samples" / "ket-qua-2019-mau.xlsx"
MAX = Decimal(1000)
ROWS = (
    SheetRow("Sở Thông tin và Truyền thông", 1, Decimal("921.50"), MAX, 1, Classification.GOOD),
    SheetRow("Sở Tư pháp", 1, Decimal("864.25"), MAX, 2, Classification.GOOD),
    SheetRow("Sở Y tế", 1, Decimal("742"), MAX, 3, Classification.FAIR),
    SheetRow("UBND thành phố Nha Trang", 2, Decimal("880.75"), MAX, 1, Classification.GOOD),
    SheetRow("UBND huyện Vạn Ninh", 2, Decimal("655"), MAX, 2, Classification.AVERAGE),
    SheetRow("Trường Đại học Khánh Hòa", 3, Decimal("701.40"), MAX, 1, Classification.FAIR),
)


def main() -> None:
    SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    write_published_sheet(
        SAMPLE,
        2019,
        ROWS,
        subtitle="(TỆP MẪU — số liệu minh họa; thay bằng kết quả đã công bố của năm cần nhập)",
    )
    print(SAMPLE)


if __name__ == "__main__":
    main()
