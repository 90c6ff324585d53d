"""Draw the KHIT Desktop icon set with Qt (offscreen, no network, no image library).

    python installer/make_icons.py

writes ``resources/icons/khit.ico`` (16–256 px, for the Windows executables, shortcuts and
the installer) and ``resources/icons/khit-{16..256}.png`` (for Linux and for the window).
The files are committed; run this again only to change the drawing.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

SIZES = (16, 24, 32, 48, 64, 128, 256)
OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"

BLUE = "#1f5fa8"
DARK = "#163f73"
GOLD = "#f2b705"


def draw(size: int) -> QImage:
    """One square icon: a blue tile with three rising bars and a gold check."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QLinearGradient, QPainter, QPen

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    tile = QRectF(s * 0.03, s * 0.03, s * 0.94, s * 0.94)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0.0, QColor(BLUE))
    gradient.setColorAt(1.0, QColor(DARK))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(tile, s * 0.18, s * 0.18)

    # three rising bars: the ranking
    p.setBrush(QColor("white"))
    base = s * 0.80
    width = s * 0.16
    for i, height in enumerate((0.26, 0.40, 0.56)):
        left = s * (0.18 + i * 0.22)
        p.drawRoundedRect(QRectF(left, base - s * height, width, s * height), s * 0.03, s * 0.03)

    # a gold check over the bars: the appraisal (left out where it would be a smudge)
    if size >= 24:
        pen = QPen(QColor(GOLD), max(1.5, s * 0.085))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline(
            [QPointF(s * 0.20, s * 0.30), QPointF(s * 0.33, s * 0.42), QPointF(s * 0.58, s * 0.16)]
        )
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {image.width()} px icon")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image: QImage) -> bytes:
    """The classic ICO entry: BITMAPINFOHEADER, 32-bit BGRA rows bottom-up, an empty AND mask.
    Small sizes are stored this way because some Windows tools read no PNG entry but 256 px."""
    size = image.width()
    argb = image.convertToFormat(image.Format.Format_ARGB32)
    rows = [bytes(argb.constScanLine(y))[: size * 4] for y in range(size)]  # BGRA, little-endian
    mask_row = ((size + 31) // 32) * 4
    header = struct.pack(
        "<IiiHHIIiiII",
        40,
        size,
        size * 2,
        1,
        32,
        0,
        size * size * 4 + mask_row * size,
        0,
        0,
        0,
        0,
    )
    return header + b"".join(reversed(rows)) + bytes(mask_row * size)


def ico(images: dict[int, QImage]) -> bytes:
    """An .ico with every size: 256 px as PNG (as Windows itself does), the rest as DIBs."""
    entries = {
        size: png_bytes(image) if size >= 256 else dib_bytes(image)
        for size, image in sorted(images.items())
    }
    header = struct.pack("<HHH", 0, 1, len(entries))
    offset = len(header) + 16 * len(entries)
    directory = b""
    payload = b""
    for size, data in entries.items():
        edge = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + directory + payload


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    for size, image in images.items():
        (OUT / f"khit-{size}.png").write_bytes(png_bytes(image))
    (OUT / "khit.ico").write_bytes(ico(images))
    print(f"wrote {len(images)} PNG files and khit.ico in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
