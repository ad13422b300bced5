"""Reading one cell of a budget workbook (DOMAIN.md section 4): a value of its column's kind, or a
CellError whose message is the user's.

Numbers are never computed in binary floating point: a numeric cell becomes a Decimal through
its shortest repr, and text goes straight to Decimal.
"""

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fundmgr.lib.validators import CONTROL_CHARACTERS, has_control_characters
from fundmgr.workbook import schema

FLOAT_TOLERANCE = Decimal("0.000001")  # a float cell this close to a cent means that cent
MAX_AMOUNT = Decimal("100000000000000")  # Decimal(16, 2) holds less than 10**14
# No column holds 20 integer digits; anything that large is refused before it is rounded, since
# quantizing 1e308 to cents would overflow the decimal context.
MAX_MAGNITUDE = Decimal(10) ** 20
# Half-width digits only, as the forms accept (projects.forms.parse_amount): "１２３" is refused
# with its own message rather than silently read, the same in every path.
_NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", re.ASCII)
_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?", re.ASCII)


class CellError(ValueError):
    pass


def shown(value: Any, limit: int = 40) -> str:
    """A cell's text as quoted back in a message: short, without control characters."""
    text = CONTROL_CHARACTERS.sub("\ufffd", str(value).strip())
    return text if len(text) <= limit else text[:limit] + "…"


def _half_width_error(text: str, column: schema.Column) -> CellError | None:
    if any(character.isdigit() and not character.isascii() for character in text):
        return CellError(
            _("%(column)s请使用半角数字，“%(value)s”含全角或其他文字的数字") % {"column": column.header, "value": shown(text)}
        )
    return None


def _decimal_of(value: Any, column: schema.Column) -> Decimal:
    """A number cell or numeric text as an exact Decimal with at most the column's decimals."""
    places = Decimal(1).scaleb(-column.decimal_places)
    if isinstance(value, bool):
        raise CellError(_("%(column)s须为数字") % {"column": column.header})
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
        if not number.is_finite():
            raise CellError(_("%(column)s须为数字") % {"column": column.header})
        if abs(number) >= MAX_MAGNITUDE:
            raise CellError(_("%(column)s过大") % {"column": column.header})
        if number != number.quantize(places):
            raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
        return number
    if isinstance(value, float):
        exact = Decimal(repr(value))
        if not exact.is_finite():
            raise CellError(_("%(column)s须为数字") % {"column": column.header})
        if abs(exact) >= MAX_MAGNITUDE:
            raise CellError(_("%(column)s过大") % {"column": column.header})
        rounded = exact.quantize(places, rounding=ROUND_HALF_UP)
        if abs(exact - rounded) > FLOAT_TOLERANCE:
            raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
        return rounded
    if not isinstance(value, str):  # a date, a time or a duration cell
        raise CellError(_("%(column)s须为数字，“%(value)s”不是数字") % {"column": column.header, "value": shown(value)})
    text = value.strip().replace(" ", "")
    half_width = _half_width_error(text, column)
    if half_width:
        raise half_width
    if not _NUMBER_TEXT.fullmatch(text):
        raise CellError(_("%(column)s须为数字，“%(value)s”不是数字") % {"column": column.header, "value": shown(value)})
    number = Decimal(text.replace(",", ""))
    if abs(number) >= MAX_MAGNITUDE:
        raise CellError(_("%(column)s过大") % {"column": column.header})
    if number != number.quantize(places):
        raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
    return number.quantize(places)


def _amount(value: Any, column: schema.Column) -> Decimal:
    number = _decimal_of(value, column)
    if number <= 0:
        raise CellError(_("%(column)s须大于0") % {"column": column.header})
    if number >= MAX_AMOUNT:
        raise CellError(_("%(column)s过大") % {"column": column.header})
    return number


def _plan_amount(value: Any, column: schema.Column) -> Decimal:
    """A planned amount (用款计划, DOMAIN.md section 8): yuan, 0 allowed, never negative."""
    number = _decimal_of(value, column)
    if number < 0:
        raise CellError(_("%(column)s不能为负数") % {"column": column.header})
    if number >= MAX_AMOUNT:
        raise CellError(_("%(column)s过大") % {"column": column.header})
    return number


def _reference(value: Any, column: schema.Column) -> Any:
    """A column written for the reader's orientation only (the plan template's 项目名称, 全年预算): never read."""
    return None


def _value(value: Any, column: schema.Column) -> Decimal:
    number = _decimal_of(value, column)
    if abs(number) >= Decimal(10) ** (column.max_digits - column.decimal_places):
        raise CellError(_("%(column)s过大") % {"column": column.header})
    return number


def _value_text(value: Any, column: schema.Column) -> Decimal | str:
    """An indicator value as a number, or the text as the tables write it (≥200平方米, 达到预期),
    which fundmgr.workbook.rules reads with indicators.targets.parse."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return _value(text, column)
        except CellError:
            if column.max_length is not None and len(text) > column.max_length:
                raise CellError(
                    _("%(column)s不能超过%(max)s个字") % {"column": column.header, "max": column.max_length}
                ) from None
            return text
    # Excel makes a date cell of a typed 2024-11-20: a date target or value, read as its text.
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date().isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return _value(value, column)


def _integer(value: Any, column: schema.Column) -> int:
    if isinstance(value, bool):
        raise CellError(_("%(column)s须为非负整数") % {"column": column.header})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        half_width = _half_width_error(text, column)
        if half_width:
            raise half_width
        if text.isascii() and text.isdigit() and len(text) <= 10:
            value = int(text)
    if not isinstance(value, int) or value < 0 or value > 2_000_000_000:
        raise CellError(_("%(column)s须为非负整数") % {"column": column.header})
    return value


def _year(value: Any, column: schema.Column) -> int:
    try:
        year = _integer(value, column)
    except CellError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise CellError(_("年度须为2000至2100之间的四位年份"))
    return year


def _date(value: Any, column: schema.Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.fullmatch(value.strip())
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date serial number (45366) in a cell not formatted as a date: refused, not guessed,
        # since an amount typed into the date column would read as a date too.
        raise CellError(
            _("%(column)s须为日期，单元格中是数字 %(value)s；请把单元格格式设为日期，或填写 2024-03-15")
            % {"column": column.header, "value": shown(value)}
        )
    raise CellError(_("%(column)s须为日期，如 2024-03-15 或 2024/3/15") % {"column": column.header})


def _text(value: Any, column: schema.Column) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e20:
        value = int(value)  # a code typed as a number
    if isinstance(value, (datetime, date, time, timedelta, bool)) or (isinstance(value, float) and not math.isfinite(value)):
        raise CellError(_("%(column)s须为文本") % {"column": column.header})
    text = str(value).strip()
    if has_control_characters(text):
        raise CellError(_("%(column)s含有不可见的控制字符，请删除后重新导入") % {"column": column.header})
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("%(column)s最多%(length)s个字符") % {"column": column.header, "length": column.max_length})
    for validator in column.validators:
        try:
            validator(text)
        except ValidationError as error:
            raise CellError(" ".join(error.messages)) from None
    return text


def _choice(value: Any, column: schema.Column) -> Any:
    text = value.strip() if isinstance(value, str) else ""  # a number, date or boolean is no label
    if text in column.choices:
        return column.choices[text]
    for label, choice in column.choices.items():
        if label.lower() == text.lower():
            return choice
    raise CellError(
        _("“%(value)s”不是有效的%(column)s，可选：%(allowed)s")
        % {"value": shown(value), "column": column.header, "allowed": _("、").join(column.labels)}
    )


def _economic_class(value: Any, column: schema.Column) -> str:
    return _text(value, column)  # existence is checked against the reference data in validate_workbook


READERS = {
    schema.TEXT: _text,
    schema.INTEGER: _integer,
    schema.AMOUNT: _amount,
    schema.PLAN_AMOUNT: _plan_amount,
    schema.REFERENCE: _reference,
    schema.VALUE: _value,
    schema.VALUE_TEXT: _value_text,
    schema.DATE: _date,
    schema.CHOICE: _choice,
    schema.ECONOMIC_CLASS: _economic_class,
    schema.YEAR: _year,
}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

