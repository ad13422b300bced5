"""Reading filled 自评表 out of a workbook (DOMAIN.md section 10), whoever wrote it.

A 项目支出绩效自评表 or 部门整体支出绩效自评表 (财预〔2020〕10号 annexes, worded as provinces
word them) is found by its words, never by fixed positions:
- its title (…绩效自评表) starts a table; a sheet may hold several, or a sheet without a title
  holds one table when it has both header rows below;
- the money header row holds 全年预算数 and 全年执行数 (年初预算数, 分值, 执行率, 得分 when the
  form has them); the rows under it are 年度资金总额 and its 其中 rows, found by their labels;
- the 年度总体目标 block holds 预期目标 | 实际完成情况, the texts in the row below;
- the indicator header row holds 三级指标, 指标值 (or 目标值…), 完成值 (or 实际值…), 分值 (or
  权重) and 得分; every row under it up to 总分 is an indicator;
- 总分 and, when the form has it, 自评等级 end the table.

A merged range reads as its top-left value in every cell it covers, so a 一级指标 merged over
five rows labels each of them. Numbers are kept as written: the Decimal of a number cell's
shortest repr, or of numeric text, with the number of decimals it was written with (the cell's
number format is ignored, except that a percent format makes 0.9587 read as 95.87 %).

The file is opened as the budget import opens it first (fundmgr.workbook.reader.open_workbook:
the upload size cap, the zip-bomb check, defusedxml), then once more with openpyxl in normal
mode, which merged ranges need; that mode holds every cell in memory, so the XML the workbook
inflates to is capped more tightly here (MAX_XML_BYTES), and only the first MAX_ROWS rows and
MAX_COLUMNS columns of a sheet are looked at.
"""

import io
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from fundmgr.review import vocabulary as words
from fundmgr.workbook.reader import open_workbook

MAX_ROWS = 2000  # a 自评表 has a few dozen rows; two or three of them fit many times over
MAX_COLUMNS = 40
MAX_XML_BYTES = 32 * 1024 * 1024  # the XML parts, inflated: a 自评表 workbook takes well under 1 MiB
MAX_MAGNITUDE = Decimal(10) ** 15  # no figure of a 自评表 comes near; larger is not a figure
FLOAT_NOISE_PLACES = 9  # a float cell with more decimals than this is binary noise: 99.58999999999999 is 99.59

TOTAL, APPROPRIATION, CARRYOVER, OTHER = "total", "appropriation", "carryover", "other"
MONEY_PARTS = (APPROPRIATION, CARRYOVER, OTHER)
PROJECT, DEPARTMENT = "project", "department"
INDICATOR_REQUIRED = ("name", "target", "actual", "points", "earned")

_NOTE = re.compile(r"\([^()]*\)$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


class NotASelfEvaluation(Exception):
    """The file cannot be read as a 自评表; the message is the user's and names the problem."""


@dataclass(frozen=True)
class Entry:
    """One figure as the table writes it: its text, its value when it reads as a number, and the
    number of decimals it was written with (formatting ignored)."""

    text: str = ""
    value: Decimal | None = None
    decimals: int = 0

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def unreadable(self) -> bool:
        return bool(self.text) and self.value is None


BLANK = Entry()


@dataclass(frozen=True)
class MoneyRow:
    """A row of the money block, in the table's own unit; 执行率 in percent."""

    row: int
    label: str
    initial: Entry = BLANK
    full_year: Entry = BLANK
    spent: Entry = BLANK
    points: Entry = BLANK
    rate: Entry = BLANK
    earned: Entry = BLANK


@dataclass(frozen=True)
class IndicatorRow:
    row: int
    level1: str
    level2: str
    name: str
    target: str  # as written; "" when blank
    actual: str
    points: Entry
    earned: Entry
    deviation: str = ""


@dataclass
class SelfEvaluationTable:
    """One filled 自评表 as read: what the table says, nothing computed."""

    sheet: str
    kind: str  # project | department
    title: str  # the form's title line
    name: str  # 项目名称 or 部门名称, "" when the table has none
    year: int | None
    money_unit: str | None  # 万元 | 元 | None when the table does not say
    money_header_row: int
    money_columns: frozenset[str]  # the money header's columns this form has
    money: dict[str, MoneyRow]
    indicator_header_row: int
    indicators: list[IndicatorRow]
    goal_expected: str = ""
    goal_actual: str = ""
    total_row: int | None = None
    score: Entry = BLANK
    rating: str | None = None  # 优 良 中 差, or the word as written when it is none of them
    rating_row: int | None = None

    @property
    def total(self) -> MoneyRow | None:
        return self.money.get(TOTAL)

    @property
    def heading(self) -> str:
        """What the table is about: its project's or department's name, else its title."""
        return self.name or self.title or self.sheet


# ---- cells -------------------------------------------------------------------------------


def normal(text: str) -> str:
    """Text as compared with header words: NFKC (full-width brackets, colons and blanks become
    ASCII), every blank removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def header_word(value: Any) -> str:
    """A header cell's words without a trailing note in brackets or a required-mark: "全年预算数（A）"
    reads as 全年预算数, "其中：当年财政拨款" stays as it is."""
    word = normal(cell_text(value)).rstrip("*")
    while _NOTE.search(word) and _NOTE.sub("", word):
        word = _NOTE.sub("", word)
    return word


def _decimal_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _float_decimal(value: float) -> Decimal | None:
    if not math.isfinite(value):
        return None
    number = Decimal(repr(value))
    if -number.as_tuple().exponent > FLOAT_NOISE_PLACES:
        number = round(number, FLOAT_NOISE_PLACES).normalize()
    return number


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as the text the table shows: numbers without binary noise (a percent-formatted
    0.95 as 95%), dates as 2024年10月31日, text as written (stripped)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return words.DATE_TEXT.format(year=value.year, month=value.month, day=value.day)
    if isinstance(value, time):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        number = _float_decimal(value) if isinstance(value, float) else Decimal(value)
        if number is None:
            return str(value)
        if "%" in (number_format or ""):
            return _decimal_text((number * 100).normalize()) + "%"
        return _decimal_text(number)
    return str(value).strip()


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def entry(value: Any, number_format: str = "General", *, percent: bool = False) -> Entry:
    """A figure cell: its text, its value and its decimals as written.

    `percent`: a 执行率 cell, read in percent. A percent-formatted number or a text ending in %
    is read as written; a plain number no larger than 1 is a fraction (0.9587 is 95.87 %), a
    larger one is already in percent (95.87).
    """
    text = cell_text(value, number_format)
    if not text or text in words.BLANK_MARKS:
        return BLANK
    number: Decimal | None = None
    decimals = 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _float_decimal(value) if isinstance(value, float) else Decimal(value)
        if number is not None:
            decimals = _decimals(number)
            if percent and ("%" in (number_format or "") or abs(number) <= 1):
                number, decimals = number * 100, max(0, decimals - 2)
    elif isinstance(value, str):
        written = normal(value).replace(",", "")
        for suffix in words.FIGURE_SUFFIXES:
            written = written.removesuffix(suffix)
        is_percent = written.endswith("%")
        written = written.removesuffix("%")
        if _NUMBER.fullmatch(written):
            try:
                number = Decimal(written)
            except InvalidOperation:
                number = None
            decimals = len(written.split(".")[1]) if "." in written else 0
            if number is not None and percent and not is_percent and abs(number) <= 1:
                number, decimals = number * 100, max(0, decimals - 2)
    if number is None or not number.is_finite() or abs(number) >= MAX_MAGNITUDE:
        return Entry(text=text)
    return Entry(text=text, value=number, decimals=decimals)


# ---- the sheet as a grid -------------------------------------------------------------------


class Grid:
    """The values of a worksheet's first MAX_ROWS x MAX_COLUMNS cells, a merged range's top-left
    value in each of its cells; `origin` tells which cells one merged range covers."""

    def __init__(self, worksheet):
        self.title = worksheet.title
        self.max_row = min(worksheet.max_row or 0, MAX_ROWS)
        self.max_column = min(worksheet.max_column or 0, MAX_COLUMNS)
        self.values: dict[tuple[int, int], tuple[Any, str]] = {}
        self.origin: dict[tuple[int, int], tuple[int, int]] = {}
        if not self.max_row or not self.max_column:
            return
        for row in worksheet.iter_rows(min_row=1, max_row=self.max_row, max_col=self.max_column):
            for cell in row:
                if cell.value is not None and not (isinstance(cell.value, str) and not cell.value.strip()):
                    self.values[(cell.row, cell.column)] = (cell.value, cell.number_format or "General")
        for merged in worksheet.merged_cells.ranges:
            top_left = (merged.min_row, merged.min_col)
            if merged.min_row > self.max_row or merged.min_col > self.max_column:
                continue
            held = self.values.get(top_left)
            for row in range(merged.min_row, min(merged.max_row, self.max_row) + 1):
                for column in range(merged.min_col, min(merged.max_col, self.max_column) + 1):
                    self.origin[(row, column)] = top_left
                    if held is None:
                        self.values.pop((row, column), None)
                    else:
                        self.values[(row, column)] = held

    @property
    def empty(self) -> bool:
        return not self.values

    def value(self, row: int, column: int | None) -> tuple[Any, str]:
        if column is None:
            return None, "General"
        return self.values.get((row, column), (None, "General"))

    def text(self, row: int, column: int | None) -> str:
        return cell_text(*self.value(row, column))

    def runs(self, row: int, *, before: int | None = None) -> list[tuple[int, str]]:
        """The row's non-blank cells as (column, text), a merged range once (at its first column)."""
        found, last_origin = [], None
        for column in range(1, (before or self.max_column + 1)):
            if (row, column) not in self.values:
                last_origin = None
                continue
            origin = self.origin.get((row, column), (row, column))
            if origin == last_origin:
                continue
            last_origin = origin
            found.append((column, self.text(row, column)))
        return found

    def header_columns(self, row: int, vocabulary: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """The first column of each header of `vocabulary` found in the row."""
        columns: dict[str, int] = {}
        for column, text in self.runs(row):
            word = header_word(text)
            for key, wordings in vocabulary.items():
                if key not in columns and word in wordings:
                    columns[key] = column
                    break
        return columns


# ---- finding the tables --------------------------------------------------------------------


def _title_rows(grid: Grid) -> list[tuple[int, str]]:
    rows = []
    for row in range(1, grid.max_row + 1):
        for _column, text in grid.runs(row):
            if words.TITLE.fullmatch(header_word(text)):
                rows.append((row, text))
                break
    return rows


def _money_header_rows(grid: Grid, first: int, last: int) -> list[int]:
    return [
        row
        for row in range(first, last + 1)
        if {"full_year", "spent"} <= grid.header_columns(row, words.MONEY_HEADERS).keys()
    ]


def _indicator_header(grid: Grid, first: int, last: int) -> tuple[int, dict[str, int]] | None:
    for row in range(first, last + 1):
        columns = grid.header_columns(row, words.INDICATOR_HEADERS)
        if all(key in columns for key in INDICATOR_REQUIRED):
            return row, columns
    return None


def _segments(grid: Grid) -> list[tuple[int, int, str]]:
    """(first row, last row, title) of each table of the sheet."""
    titles = _title_rows(grid)
    if titles:
        starts = titles
    else:
        starts = [(row, "") for row in _money_header_rows(grid, 1, grid.max_row)]
        if starts:
            starts[0] = (1, "")
    segments = []
    for index, (row, title) in enumerate(starts):
        last = starts[index + 1][0] - 1 if index + 1 < len(starts) else grid.max_row
        segments.append((row, last, title))
    return segments


def _labelled_value(grid: Grid, first: int, last: int, labels: tuple[str, ...]) -> str:
    """The text right of the first cell whose words are one of `labels` (项目名称 → its value)."""
    for row in range(first, last + 1):
        runs = grid.runs(row)
        for index, (_column, text) in enumerate(runs):
            if header_word(text) in labels:
                for _later, value in runs[index + 1:]:
                    if header_word(value) not in labels:
                        return value
    return ""


def _money_unit(grid: Grid, rows: list[int]) -> str | None:
    for row in rows:
        for _column, text in grid.runs(row):
            found = words.MONEY_UNIT.search(normal(text))
            if found:
                return found.group(1) or found.group(2)
    return None


def _money_block(grid: Grid, header: int, columns: dict[str, int], last: int) -> dict[str, MoneyRow]:
    """年度资金总额 and its 其中 rows under the money header, by their labels."""
    first_figure = min(columns.values())
    money: dict[str, MoneyRow] = {}
    for row in range(header + 1, min(last, header + 8) + 1):
        # The label nearest the figures decides: a block label merged down column A (年度资金总额（万元）
        # in some forms) must not make every row the total.
        labels = [normal(text) for _column, text in reversed(grid.runs(row, before=first_figure))]
        key, label = next(
            ((key, label) for label in labels for key, labelled in words.MONEY_LABELS.items() if any(w in label for w in labelled)),
            (None, ""),
        )
        if key is None:
            if money:
                break
            continue
        if key in money:
            break
        figures = {
            name: entry(*grid.value(row, columns.get(name)), percent=name == "rate")
            for name in ("initial", "full_year", "spent", "points", "rate", "earned")
        }
        money[key] = MoneyRow(row=row, label=label, **figures)
    return money


def _goal(grid: Grid, first: int, last: int) -> tuple[str, str]:
    """预期目标 and 实际完成情况 of the 年度总体目标 block: the texts under (or after) the labels."""
    for row in range(first, last + 1):
        expected = actual = None
        for column, text in grid.runs(row):
            word = normal(text)
            if word.startswith(words.GOAL_EXPECTED) and expected is None:
                expected = (column, word)
            elif word.startswith(words.GOAL_ACTUAL) and actual is None:
                actual = (column, word)
        if expected and actual:
            texts = []
            for column, word in (expected, actual):
                inline = word.split(":", 1)[1] if ":" in word else ""
                texts.append(inline or (grid.text(row + 1, column) if row + 1 <= last else ""))
            return texts[0], texts[1]
    return "", ""


def _is_total_row(grid: Grid, row: int, before: int) -> bool:
    return any(header_word(text) in words.TOTAL_LABELS for _column, text in grid.runs(row, before=before))


def _rating(grid: Grid, first: int, last: int) -> tuple[str | None, int | None]:
    """The declared rating: a cell 自评等级：优, or the cell after a 自评等级 label."""
    for row in range(first, last + 1):
        runs = grid.runs(row)
        for index, (_column, text) in enumerate(runs):
            word = header_word(text)
            if word in words.RATING_LABELS:
                following = [normal(value) for _c, value in runs[index + 1:] if normal(value)]
                if following:
                    return words.RATING_WORDS.get(following[0], following[0]), row
                continue
            inline = words.RATING_INLINE.fullmatch(word)
            if inline and inline.group(1):
                return words.RATING_WORDS.get(inline.group(1), inline.group(1)), row
    return None, None


def _indicators(grid: Grid, header: int, columns: dict[str, int], last: int) -> tuple[list[IndicatorRow], int | None]:
    rows, total_row = [], None
    earned_column = columns["earned"]
    for row in range(header + 1, last + 1):
        if _is_total_row(grid, row, before=earned_column):
            total_row = row
            break
        name, target, actual = (grid.text(row, columns[key]) for key in ("name", "target", "actual"))
        points = entry(*grid.value(row, columns["points"]))
        earned = entry(*grid.value(row, earned_column))
        if not any((name, target, actual, points.text, earned.text)):
            continue
        if name and name == target == actual:
            continue  # a label across the whole table, such as 未设置绩效指标
        if header_word(target) in words.INDICATOR_HEADERS["target"]:
            continue  # the header repeated (a form printed over two pages)
        rows.append(
            IndicatorRow(
                row=row,
                level1=grid.text(row, columns.get("level1")),
                level2=grid.text(row, columns.get("level2")),
                name=name,
                target="" if target in words.BLANK_MARKS else target,
                actual="" if actual in words.BLANK_MARKS else actual,
                points=points,
                earned=earned,
                deviation=grid.text(row, columns.get("deviation")),
            )
        )
    return rows, total_row


def _declared_score(grid: Grid, row: int, columns: dict[str, int]) -> Entry:
    score = entry(*grid.value(row, columns["earned"]))
    if not score.blank:
        return score
    # Some forms write 总分 | 100 | 95 without lining the figures up with the columns above.
    figures = [
        entry(*grid.value(row, column))
        for column, text in grid.runs(row)
        if column != columns["points"] and header_word(text) not in words.TOTAL_LABELS
    ]
    figures = [figure for figure in figures if figure.value is not None]
    return figures[-1] if figures else BLANK


def _table(grid: Grid, first: int, last: int, title: str) -> SelfEvaluationTable | None:
    """The table of rows first..last, or None when they hold no 自评表 headers at all."""
    money_rows = _money_header_rows(grid, first, last)
    indicator = _indicator_header(grid, money_rows[0] + 1, last) if money_rows else None
    if indicator is None:
        if not title or not (money_rows or _indicator_header(grid, first, last)):
            return None  # no table at all: a sentence or a sheet that only names the form
        missing = _("金额表头（全年预算数、全年执行数）") if not money_rows else _("绩效指标表头（三级指标、指标值、完成值、分值、得分）")
        raise NotASelfEvaluation(
            _("工作表“%(sheet)s”第%(row)s行的“%(title)s”缺少%(missing)s")
            % {"sheet": grid.title, "row": first, "title": title, "missing": missing}
        )
    money_header = money_rows[0]
    money_columns = grid.header_columns(money_header, words.MONEY_HEADERS)
    indicator_header, indicator_columns = indicator
    money = _money_block(grid, money_header, money_columns, indicator_header - 1)
    indicators, total_row = _indicators(grid, indicator_header, indicator_columns, last)
    title_word = normal(title)
    has_project_name = bool(_labelled_value(grid, first, money_header - 1, words.PROJECT_NAME_LABELS))
    if any(word in title_word for word in words.PROJECT_TITLE_WORDS):
        kind = PROJECT
    elif any(word in title_word for word in words.DEPARTMENT_TITLE_WORDS):
        kind = DEPARTMENT
    else:
        kind = PROJECT if has_project_name else DEPARTMENT
    name_labels = words.PROJECT_NAME_LABELS if kind == PROJECT else words.DEPARTMENT_NAME_LABELS
    year_found = words.YEAR.search(" ".join(normal(text) for row in range(first, money_header) for _c, text in grid.runs(row)))
    money_end = max((row.row for row in money.values()), default=money_header)
    unit_rows = [money_header, *range(money_header + 1, money_end + 1), *range(first, money_header)]
    rating, rating_row = _rating(grid, total_row, min(last, total_row + 3)) if total_row else (None, None)
    goal_expected, goal_actual = _goal(grid, money_end + 1, indicator_header - 1)
    return SelfEvaluationTable(
        sheet=grid.title,
        kind=kind,
        title=title.strip(),
        name=_labelled_value(grid, first, money_header - 1, name_labels),
        year=int(year_found.group(1)) if year_found else None,
        money_unit=_money_unit(grid, unit_rows),
        money_header_row=money_header,
        money_columns=frozenset(money_columns),
        money=money,
        indicator_header_row=indicator_header,
        indicators=indicators,
        goal_expected=goal_expected,
        goal_actual=goal_actual,
        total_row=total_row,
        score=_declared_score(grid, total_row, indicator_columns) if total_row else BLANK,
        rating=rating,
        rating_row=rating_row,
    )


# ---- the file ------------------------------------------------------------------------------


def _xml_size(source) -> int:
    with zipfile.ZipFile(source) as archive:
        size = sum(member.file_size for member in archive.infolist() if not member.filename.startswith("xl/media/"))
    if hasattr(source, "seek"):
        source.seek(0)
    return size


def _opened(source):
    """The workbook in openpyxl's normal mode, after the import's checks of the file."""
    guarded, errors = open_workbook(source)
    if errors:
        raise NotASelfEvaluation(errors[0].message)
    with guarded:
        pass  # open_workbook opened it read-only; only its checks were wanted
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif hasattr(source, "seek"):
        source.seek(0)
    if _xml_size(source) > MAX_XML_BYTES:
        raise NotASelfEvaluation(
            _("工作簿内容过大（解压后超过 %(limit)s 字节），不像一份自评表，已拒绝") % {"limit": MAX_XML_BYTES}
        )
    try:
        return load_workbook(source, read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors alike on a damaged file
        raise NotASelfEvaluation(_("文件不是有效的 Excel 工作簿（.xlsx）")) from error


def read_tables(source: str | os.PathLike | bytes | Any) -> list[SelfEvaluationTable]:
    """Every 自评表 of a workbook (a path, bytes or a file object), in sheet and row order.

    Raises NotASelfEvaluation, with the user's message, when the file is not a readable xlsx,
    is too big, is empty, or holds no 自评表.
    """
    book = _opened(source)
    try:
        tables: list[SelfEvaluationTable] = []
        all_empty = True
        for worksheet in book.worksheets:
            grid = Grid(worksheet)
            if grid.empty:
                continue
            all_empty = False
            for first, last, title in _segments(grid):
                table = _table(grid, first, last, title)
                if table is not None:
                    tables.append(table)
    finally:
        book.close()
    if all_empty:
        raise NotASelfEvaluation(_("工作簿是空的，没有任何内容"))
    if not tables:
        raise NotASelfEvaluation(
            _("没有找到自评表：没有一个工作表含有“全年预算数、全年执行数”金额表头和“三级指标、指标值、完成值、分值、得分”指标表头")
        )
    return tables
