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
