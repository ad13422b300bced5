"""A small streaming .xlsx writer for long sheets: a unit's 100,000 expenditures.

openpyxl's write-only mode streams too, but spends ~150 µs a styled cell, which put a
100,000-row export over its 10 s budget. This writer emits the sheet XML straight into the zip
entry, row by row: memory stays flat whatever the length. It writes one sheet with what the
standard forms need (column widths, merged title rows, frozen header rows repeated on every
printed page, A4 landscape fitted to the page width) and cell styles given as openpyxl style
objects, so a streamed sheet looks like one openpyxl writes. Values go through
fundmgr.lib.cells.stored; every string is an inline string, which is never a formula. The
document properties name who generated the file and when.
"""

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import BinaryIO, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import quote_sheetname
from openpyxl.xml.functions import tostring

from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import Stamp

EXCEL_EPOCH = date(1899, 12, 30)
DEFAULT_FONT = Font(name="Calibri", size=11)
FIRST_CUSTOM_FORMAT = 164


@dataclass(frozen=True)
class CellStyle:
    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    alignment: Alignment | None = None
    number_format: str = "General"


class Styled(NamedTuple):
    """A value written with a style of its own (a title, a header, a total)."""

    value: object
    style: CellStyle


@dataclass(frozen=True)
class SheetLayout:
    """The sheet's name and look. Body dates and Decimals take `date_style` and `decimal_style`."""

    name: str
    date_style: CellStyle
    decimal_style: CellStyle
    widths: Sequence[float] = ()
    merged: Sequence[str] = ()
    frozen_rows: int = 0
    print_title_rows: int = 0
    landscape_a4: bool = False


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>
<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>
</cp:coreProperties>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name={name} sheetId="1" r:id="rId1"/></sheets>{defined_names}
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)


class _Stylesheet:
    """styles.xml: each CellStyle becomes one cell format (xf); `index` gives its number."""

    def __init__(self):
        self.fonts = [DEFAULT_FONT]
        self.fills = [PatternFill(), PatternFill(patternType="gray125")]
        self.borders = [Border()]
        self.formats: dict[str, int] = {}
        self.xfs: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self.ids: dict[CellStyle, int] = {}

    def index(self, style: CellStyle) -> int:
        if style not in self.ids:
            self.ids[style] = len(self.xfs)
            self.xfs.append(self._xf(style))
        return self.ids[style]

    def _xf(self, style: CellStyle) -> str:
        font = self._position(self.fonts, style.font or DEFAULT_FONT)
        fill = self._position(self.fills, style.fill) if style.fill else 0
        border = self._position(self.borders, style.border) if style.border else 0
        number_format = BUILTIN_FORMATS_REVERSE.get(style.number_format)
        if number_format is None:
            number_format = self.formats.setdefault(style.number_format, FIRST_CUSTOM_FORMAT + len(self.formats))
        applied = "".join(
            f' apply{name}="1"'
            for name, used in (("NumberFormat", number_format), ("Font", font), ("Fill", fill), ("Border", border),
                               ("Alignment", style.alignment))
            if used
        )
        opening = f'<xf numFmtId="{number_format}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}'
        if style.alignment is None:
            return opening + "/>"
        return f"{opening}>{tostring(style.alignment.to_tree()).decode()}</xf>"

    @staticmethod
    def _position(items: list, item) -> int:
        if item not in items:
            items.append(item)
        return items.index(item)

    def xml(self) -> str:
        def listed(tag: str, items: list[str]) -> str:
            return f'<{tag} count="{len(items)}">{"".join(items)}</{tag}>'

        formats = [f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>' for code, number in self.formats.items()]
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (listed("numFmts", formats) if formats else "")
            + listed("fonts", [tostring(font.to_tree()).decode() for font in self.fonts])
            + listed("fills", [tostring(fill.to_tree()).decode() for fill in self.fills])
            + listed("borders", [tostring(border.to_tree()).decode() for border in self.borders])
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + listed("cellXfs", self.xfs)
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


def _sheet_head(layout: SheetLayout) -> str:
    """Everything of the sheet XML before its rows, in the order the schema wants."""
    head = [SHEET_START]
    if layout.landscape_a4:
        head.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    if layout.frozen_rows:
        top_left = f"A{layout.frozen_rows + 1}"
        head.append(
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{layout.frozen_rows}" topLeftCell="{top_left}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top_left}" sqref="{top_left}"/>'
            "</sheetView></sheetViews>"
        )
    if layout.widths:
        columns = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(layout.widths, start=1)
        )
        head.append(f"<cols>{columns}</cols>")
    head.append("<sheetData>")
    return "".join(head)


def _sheet_tail(layout: SheetLayout) -> str:
    tail = ["</sheetData>"]
    if layout.merged:
        tail.append(f'<mergeCells count="{len(layout.merged)}">')
        tail.extend(f'<mergeCell ref="{ref}"/>' for ref in layout.merged)
        tail.append("</mergeCells>")
    if layout.landscape_a4:
        # As fundmgr.exports.styles.setup_print sets an openpyxl sheet.
        tail.append(
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.5" footer="0.5"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        )
    tail.append("</worksheet>")
    return "".join(tail)


def _defined_names(layout: SheetLayout) -> str:
    if not layout.print_title_rows:
        return ""
    titles = f"{quote_sheetname(layout.name[:31])}!$1:${layout.print_title_rows}"
    return f'<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">{escape(titles)}</definedName></definedNames>'


def write_xlsx(target: BinaryIO, *, layout: SheetLayout, rows: Iterable[Iterable], stamp: Stamp, title: str) -> None:
    """Write `rows` (iterables of values or Styled values) as the only sheet of an xlsx into the
    binary file `target`; `stamp` and `title` go into the document properties."""
    stylesheet = _Stylesheet()
    date_style, decimal_style = stylesheet.index(layout.date_style), stylesheet.index(layout.decimal_style)

    def cell(value, style: int = 0) -> str:
        if isinstance(value, Styled):
            return cell(value.value, stylesheet.index(value.style))
        value = cells.stored(value)
        styled = f' s="{style}"' if style else ""
        if value is None or value == "":
            return f"<c{styled}/>"
        if isinstance(value, bool):
            return f'<c{styled} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, Decimal):
            return f'<c s="{style or decimal_style}"><v>{value}</v></c>'
        if isinstance(value, (int, float)):
            return f"<c{styled}><v>{value}</v></c>"
        if isinstance(value, datetime):
            serial = (value - datetime.combine(EXCEL_EPOCH, time())).total_seconds() / 86400
            return f'<c s="{style or date_style}"><v>{serial}</v></c>'
        if isinstance(value, date):
            return f'<c s="{style or date_style}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        return f'<c{styled} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "docProps/core.xml",
            CORE.format(
                title=escape(title),
                creator=escape(stamp.creator),
                created=stamp.created.replace(microsecond=0).isoformat() + "Z",
            ),
        )
        archive.writestr(
            "xl/workbook.xml", WORKBOOK.format(name=quoteattr(layout.name[:31]), defined_names=_defined_names(layout))
        )
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_head(layout).encode())
            chunk = []
            for number, values in enumerate(rows, start=1):
                chunk.append(f'<row r="{number}">{"".join(cell(value) for value in values)}</row>')
                if len(chunk) == 2000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + _sheet_tail(layout)).encode())
        # Last: a Styled value among the rows may have added a style.
        archive.writestr("xl/styles.xml", stylesheet.xml())

