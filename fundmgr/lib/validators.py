"""Checks on text that people type or upload, shared by the forms and the workbook import.

Control characters (other than tab and line breaks) are refused wherever text is stored: XML 1.0
cannot hold them, so a memo carrying one would later break every Excel export of the ledger, and
PostgreSQL refuses NUL in text outright.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The characters openpyxl refuses to write (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), plus DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text))


def refuse_control_characters(value) -> None:
    """A form-field validator: text with a control character is refused with a Chinese message."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(_("含有不可见的控制字符，请删除后重新输入"), code="control_characters")


# Codes of departments, units, items and indicators: they are typed into the admin, imported from
# workbooks and become parts of addresses (/d/<department>/<year>/items/<item>/). Real codes are
# letters and digits, sometimes with "-" (XJWF001-XM01); "." and "_" are allowed too. A code starts
# with a letter or digit, so "." and ".." (which a browser folds away in an address) are no codes.
# Chinese characters are not allowed: codes are what people type into other systems and spreadsheets.
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)


def validate_code(value) -> None:
    """The one check of a code, on the model fields (forms and the admin) and in the workbook import."""
    if not isinstance(value, str) or not CODE.fullmatch(value):
        shown = CONTROL_CHARACTERS.sub("\ufffd", str(value))[:40]
        raise ValidationError(
            _("编码“%(value)s”无效：只能使用英文字母、数字和 - _ . ，并以字母或数字开头"),
            code="invalid_code",
            params={"value": shown},
        )
