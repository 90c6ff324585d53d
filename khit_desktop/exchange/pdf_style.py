"""What the PDF writers share: the look of a Vietnamese administrative document.

Nghị định 30/2020/NĐ-CP, Phụ lục I: A4 (landscape for tables); margins top, bottom 20–25 mm,
left 30–35, right 15–20; Times New Roman, black; page numbers centred in the top margin from
page 2; Quốc hiệu, Tiêu ngữ right, the issuing body left; "ngày 05 tháng 02 năm 2026".

Font: the user's installed Times New Roman when it has every Vietnamese letter (its licence
lets a document embed it, not a program bundle it); else the bundled Liberation Serif (same
metrics, SIL Open Font License, ``resources/fonts``). A subset is embedded either way: the
doc template, every style and every table name the font, so no unembedded Helvetica sneaks
in. Every string is normalised to NFC before drawing (reportlab misplaces NFD marks).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table
from reportlab.platypus.flowables import CondPageBreak, HRFlowable, Spacer

from ..domain.collation import nfc
from ..paths import resources_dir

VIETNAMESE_SAMPLE = "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
DEMO_MARK = "DỮ LIỆU MINH HỌA — không phải văn bản chính thức"  # under the heading, page 1
DEMO_PAGE_MARK = "DỮ LIỆU MINH HỌA"  # top right of every page, clear of the page number
DEMO_RED, HEADER_FILL = colors.HexColor("#C00000"), colors.HexColor("#E6E6E6")
QUOC_HIEU, TIEU_NGU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
SUBJECT = "Hội đồng thẩm định mức độ ứng dụng CNTT"  # the PDFs' subject (metadata)
PathLike = str | os.PathLike[str]
Story = Callable[[float, float], list[Flowable]]  # (frame width, frame height) → flowables

BUNDLED_FAMILY, TIMES_FAMILY = "Liberation Serif", "Times New Roman"
_SUFFIXES = ("Regular", "Bold", "Italic", "BoldItalic")
BUNDLED_FILES = tuple(f"LiberationSerif-{s}.ttf" for s in _SUFFIXES)
# Regular, bold, italic, bold italic as Windows, Linux (msttcorefonts) and macOS name them.
_TNR = ("Times New Roman", "Times New Roman Bold", "Times New Roman Italic",
        "Times New Roman Bold Italic")  # fmt: skip
TIMES_FILE_SETS = (
    ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"),
    tuple(f"{name.replace(' ', '_')}.ttf" for name in _TNR),
    tuple(f"{name}.ttf" for name in _TNR),
)
FONT_ENV = "KHIT_PDF_FONT"  # "bundled": skip Times New Roman (reproducible output)


@dataclass(frozen=True)
class FontSet:
    """The registered serif: ``family`` as users know it, reportlab names of its 4 styles."""

    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    bundled: bool


def _font_dirs() -> list[Path]:
    system = [os.environ.get(name) for name in ("WINDIR", "SystemRoot")]
    dirs = [Path(d) / "Fonts" for d in system if d] + [Path("C:/Windows/Fonts")]
    if local := os.environ.get("LOCALAPPDATA"):  # fonts installed for one user on Windows
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    others = ("/usr/share/fonts/truetype/msttcorefonts", "/Library/Fonts",
              "/System/Library/Fonts/Supplemental", "~/.fonts", "~/.local/share/fonts")  # fmt: skip
    return dirs + [Path(p).expanduser() for p in others]


def find_times_new_roman() -> tuple[Path, ...] | None:
    """The four Times New Roman files installed on this computer, or None."""
    for folder in _font_dirs():
        try:
            present = {p.name.lower(): p for p in folder.iterdir()}
        except OSError:
            continue
        for names in TIMES_FILE_SETS:
            found = [present.get(n.lower()) for n in names]
            if all(found):
                return tuple(p for p in found if p)
    return None


def _register(family: str, files: Sequence[Path], bundled: bool) -> FontSet:
    prefix = family.replace(" ", "")
    names = (prefix, f"{prefix}-Bold", f"{prefix}-Italic", f"{prefix}-BoldItalic")
    fonts = [TTFont(name, str(path)) for name, path in zip(names, files, strict=True)]
    for font in fonts:
        if any(ord(ch) not in font.face.charToGlyph for ch in VIETNAMESE_SAMPLE):
            raise ValueError(f"{font.fontName}: thiếu chữ tiếng Việt")
    for font in fonts:
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(prefix, *names)  # normal, bold, italic, bold italic
    return FontSet(family, *names, bundled=bundled)


@cache
def register_fonts() -> FontSet:
    """Register the serif once per process: Times New Roman if installed and complete for
    Vietnamese, else the bundled Liberation Serif."""
    found = find_times_new_roman() if os.environ.get(FONT_ENV, "") != "bundled" else None
    if found:
        try:
            return _register(TIMES_FAMILY, found, bundled=False)
        except Exception:  # an old or damaged copy: fall back to the bundled font
            pass
    files = tuple(resources_dir() / "fonts" / name for name in BUNDLED_FILES)
    missing = [p.name for p in files if not p.is_file()]
    if missing:
        hint = "Hãy cài Times New Roman hoặc cài lại chương trình."
        raise FileNotFoundError(f"Thiếu phông chữ để tạo PDF ({', '.join(missing)}). {hint}")
    return _register(BUNDLED_FAMILY, files, bundled=True)


def font_in_use() -> str:
    """'Times New Roman' or 'Liberation Serif': the family embedded in the PDFs."""
    return register_fonts().family


@dataclass(frozen=True)
class Margins:  # in points (reportlab units); NĐ 30 ranges in MARGIN_RANGES_MM
    top: float
    bottom: float
    left: float
    right: float


MARGIN_RANGES_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
MARGINS = Margins(top=20 * mm, bottom=20 * mm, left=30 * mm, right=15 * mm)
PORTRAIT, LANDSCAPE = "portrait", "landscape"
PAGE_SIZES = {PORTRAIT: A4, LANDSCAPE: landscape(A4)}
# page numbers: 13 pt, baseline 12 mm below the top edge (inside the 20 mm top margin)
PAGE_NUMBER_SIZE, PAGE_NUMBER_BASELINE = 13, 12 * mm


class OfficialDoc(BaseDocTemplate):
    """A4 pages with NĐ 30 margins; templates "portrait" and "landscape" (switch with
    ``NextPageTemplate``); page numbers centred in the top margin from page 2; the demo mark
    at the top right of every page when ``demo``."""

    def __init__(
        self,
        filename: str,
        *,
        orientation: str = PORTRAIT,
        title: str = "",
        demo: bool = False,
        stamp: str | None = None,
    ) -> None:
        self.fonts, self.demo, self.margins = register_fonts(), demo, MARGINS
        self._stamp = stamp
        margins = MARGINS
        super().__init__(
            filename, pagesize=PAGE_SIZES[orientation], leftMargin=margins.left,
            rightMargin=margins.right, topMargin=margins.top, bottomMargin=margins.bottom,
            title=nfc(title), subject=SUBJECT, author="KHIT Desktop", creator="KHIT Desktop",
            initialFontName=self.fonts.regular, initialFontSize=13,
        )  # fmt: skip
        first, other = (LANDSCAPE, PORTRAIT) if orientation == LANDSCAPE else (PORTRAIT, LANDSCAPE)
        self.addPageTemplates([self._template(first), self._template(other)])

    def beforeDocument(self) -> None:
        if self._stamp is not None:  # a fixed date: same data, same bytes
            stamp = self._stamp
            self.canv.setDateFormatter(lambda *_: stamp)

    def _template(self, orientation: str) -> PageTemplate:
        width, height = PAGE_SIZES[orientation]
        m = self.margins
        frame = Frame(
            m.left, m.bottom, width - m.left - m.right, height - m.top - m.bottom,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=orientation,
        )  # fmt: skip
        return PageTemplate(orientation, [frame], onPage=self._decorate, pagesize=(width, height))

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = canvas._pagesize
        m, baseline = self.margins, height - PAGE_NUMBER_BASELINE
        middle = m.left + (width - m.left - m.right) / 2
        canvas.saveState()
        if doc.page >= 2:
            canvas.setFont(self.fonts.regular, PAGE_NUMBER_SIZE)
            canvas.drawCentredString(middle, baseline, str(doc.page))
        if self.demo:
            canvas.setFont(self.fonts.bold, 11)
            canvas.setFillColor(DEMO_RED)
            canvas.drawRightString(width - m.right, baseline, nfc(DEMO_PAGE_MARK))
        canvas.restoreState()


def pdf_target(path: PathLike) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise ValueError(f"Tệp '{target.name}' không phải tệp PDF. Hãy chọn tên tệp có đuôi .pdf.")
    return target


def write_pdf(
    path: PathLike,
    story: Story,
    *,
    title: str,
    orientation: str = PORTRAIT,
    demo: bool = False,
    stamp: str | None = None,
) -> Path:
    """Build ``story(frame width, frame height)`` into ``path`` through a temporary file
    beside it, so that a failed export never leaves half a file behind. Returns the path.
    With ``stamp`` (a PDF date) the file is written in reportlab's invariant mode and dated
    ``stamp``: the same data gives the same bytes."""
    target = pdf_target(path)
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        doc = OfficialDoc(
            str(temporary), orientation=orientation, title=title, demo=demo, stamp=stamp
        )
        if stamp is not None:
            doc.invariant = 1
        doc.build(story(doc.width, doc.height))
        try:
            os.replace(temporary, target)
        except PermissionError as exc:  # on Windows: the target is open in a PDF reader
            message = f"Không ghi được tệp '{target.name}' (tệp đang mở?). Hãy đóng rồi xuất lại."
            raise PermissionError(exc.errno, message, str(target)) from exc
    finally:
        temporary.unlink(missing_ok=True)
    return target


# name: (style, size, alignment, extra attributes); sizes after NĐ 30 (title 14, body 13,
# heading block 12–13, recipients 11) and 11 in tables.
_STYLE_SPECS: dict[str, tuple[str, float, int, dict[str, Any]]] = {
    "title": ("bold", 14, TA_CENTER, {"spaceBefore": 12, "spaceAfter": 2, "keepWithNext": 1}),
    "subtitle": ("bold", 13, TA_CENTER, {"spaceAfter": 10}),
    "heading": ("bold", 13, TA_LEFT, {"spaceBefore": 8, "spaceAfter": 4}),
    "body": ("regular", 13, TA_JUSTIFY, {"firstLineIndent": 10 * mm, "spaceAfter": 4}),
    "plain": ("regular", 13, TA_LEFT, {"spaceAfter": 3}),
    "note": ("italic", 12, TA_JUSTIFY, {"spaceBefore": 4, "spaceAfter": 4}),
    "table": ("regular", 11, TA_LEFT, {}),
    "table_bold": ("bold", 11, TA_LEFT, {}),
    "table_center": ("regular", 11, TA_CENTER, {}),
    "table_head": ("bold", 11, TA_CENTER, {}),
    "number": ("regular", 11, TA_RIGHT, {}),
    "number_bold": ("bold", 11, TA_RIGHT, {}),
    "heading_block": ("regular", 12.5, TA_CENTER, {}),
    "motto": ("bold", 13, TA_CENTER, {}),
    "place_date": ("italic", 13, TA_CENTER, {}),
    "sign_title": ("bold", 13, TA_CENTER, {}),
    "sign_note": ("italic", 12, TA_CENTER, {}),
    "recipients_head": ("bold_italic", 12, TA_LEFT, {}),
    "recipients": ("regular", 11, TA_LEFT, {}),
}


class Styles(dict[str, ParagraphStyle]):
    """The paragraph styles by name, also as attributes (``styles().body``)."""

    def __getattr__(self, name: str) -> ParagraphStyle:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@cache
def styles() -> Styles:
    f = register_fonts()
    return Styles(
        (name, ParagraphStyle(name, fontName=getattr(f, font), fontSize=size, leading=size * 1.2,
                              alignment=align, textColor=colors.black, **extra))
        for name, (font, size, align, extra) in _STYLE_SPECS.items()
    )  # fmt: skip


def markup(text: str) -> str:
    """Plain text as paragraph markup: NFC, XML-escaped ("QLVB&ĐH"), line breaks kept."""
    return escape(nfc(text)).replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle, *, bold: bool = False, italic: bool = False) -> Any:
    """A Paragraph of plain text (data is never read as markup)."""
    body = markup(text)
    body = f"<b>{body}</b>" if bold else body
    return Paragraph(f"<i>{body}</i>" if italic else body, style)


def section(text: str, room: float = 30 * mm) -> list[Flowable]:
    """A heading ('II. KẾT QUẢ') that starts a new page when less than ``room`` is left."""
    return [CondPageBreak(room), para(text, styles().heading)]


def date_phrase(day: date) -> str:
    """'ngày 05 tháng 02 năm 2026', 'ngày 15 tháng 3 năm 2021': a zero before days under 10
    and months 1 and 2 (NĐ 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: date | None) -> str:
    """'Khánh Hòa, ngày 05 tháng 02 năm 2026'; dotted blanks when the date is not known."""
    when = date_phrase(day) if day else "ngày ….. tháng ….. năm ……"
    return f"{nfc(place).strip()}, {when}"


def table_style(*commands: tuple[Any, ...], grid: bool = True) -> list[tuple[Any, ...]]:
    """Table commands that always name the font (FONTNAME) and black text; ``grid`` adds
    thin borders; ``commands`` come last."""
    every = ((0, 0), (-1, -1))
    base: list[tuple[Any, ...]] = [
        ("FONTNAME", *every, register_fonts().regular), ("FONTSIZE", *every, 11),
        ("TEXTCOLOR", *every, colors.black), ("VALIGN", *every, "TOP"),
        ("LEFTPADDING", *every, 3), ("RIGHTPADDING", *every, 3),
        ("TOPPADDING", *every, 2), ("BOTTOMPADDING", *every, 3),
    ]  # fmt: skip
    if grid:
        base.append(("GRID", *every, 0.5, colors.black))
    return base + list(commands)


def plain_table(
    rows: list[list[Any]], widths: Sequence[float], *, centred: bool = False, **kw: Any
) -> Table:
    """A borderless layout table (heading, signatures), font named."""
    table = Table(rows, colWidths=list(widths), **kw)
    centre = [("ALIGN", (0, 0), (-1, -1), "CENTER")] if centred else []
    table.setStyle(table_style(*centre, grid=False))
    return table


def data_table(
    rows: list[list[Any]], widths: Sequence[float], frame_height: float, *commands: Any, **kw: Any
) -> Table:
    """A gridded table, its first row a shaded header repeated on every page. Rows stay whole
    unless one is taller than a page (a very long reason): then rows may split, so that the
    document can still be built. ``commands``: more style commands; ``kw``: for Table."""
    padding, header = 6, 40  # left + right padding of table_style; room for the header row
    tallest = max(
        (c.wrap(w - padding, 1e6)[1] for row in rows[1:]
         for c, w in zip(row, widths, strict=False) if isinstance(c, Flowable)),
        default=0.0,
    )  # fmt: skip
    table = Table(
        rows, colWidths=list(widths), repeatRows=1,
        splitInRow=int(tallest + 5 > frame_height - header),
        **kw,
    )  # fmt: skip
    table.setStyle(table_style(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), *commands))
    return table


def national_heading(
    parent_body: str, issuing_body: str, width: float, *, number: str = "", place_and_date: str = ""
) -> Table:
    """Quốc hiệu and Tiêu ngữ on the right, the issuing body (under its parent body) on the
    left, each with its short line beneath; the document number ('Số: …/BB-HĐTĐ') under the
    body and the place and date under the motto when given."""
    s = styles()
    left: list[Any] = [para(parent_body.upper(), s.heading_block)] if parent_body else []
    left += [
        para(issuing_body.upper(), s.heading_block, bold=True),
        HRFlowable(width="35%", thickness=0.6, color=colors.black, spaceBefore=3),
    ]
    if number:
        left += [Spacer(1, 4), para(number, s.heading_block)]
    motto_width = pdfmetrics.stringWidth(nfc(TIEU_NGU), register_fonts().bold, 13)
    right: list[Any] = [
        para(QUOC_HIEU, s.heading_block, bold=True),
        para(TIEU_NGU, s.motto),
        HRFlowable(width=motto_width, thickness=0.6, color=colors.black, spaceBefore=3),
    ]
    if place_and_date:
        right += [Spacer(1, 6), para(place_and_date, s.place_date)]
    return plain_table([[left, right]], [width * 0.42, width * 0.58], centred=True)


@dataclass(frozen=True)
class SignatureBlock:
    """'TM. HỘI ĐỒNG THẨM ĐỊNH' / 'CHỦ TỊCH', '(Ký, ghi rõ họ tên)', space, the name."""

    titles: tuple[str, ...]
    name: str = ""
    note: str = "(Ký, ghi rõ họ tên)"


def _signature_cell(block: SignatureBlock | Sequence[Flowable] | None) -> list[Any]:
    if not isinstance(block, SignatureBlock):
        return list(block or [])
    s = styles()
    cell: list[Any] = [para(t.upper(), s.sign_title) for t in block.titles]
    cell += [para(block.note, s.sign_note)] if block.note else []
    cell.append(Spacer(1, 22 * mm))  # room to sign
    return cell + ([para(block.name, s.sign_title)] if block.name else [])


def signature_table(
    cells: Sequence[SignatureBlock | Sequence[Flowable] | None], width: float
) -> Table:
    """Signature blocks side by side, equal widths (None: an empty column; a list of
    flowables, e.g. ``recipients(…)``, stands as it is)."""
    widths = [width / len(cells)] * len(cells)
    return plain_table([[_signature_cell(c) for c in cells]], widths, spaceBefore=10)


def recipients(lines: Iterable[str]) -> list[Flowable]:
    """'Nơi nhận:' (bold italic 12) and its lines ('- Như trên;', 11 pt)."""
    s = styles()
    return [para("Nơi nhận:", s.recipients_head)] + [para(line, s.recipients) for line in lines]
