"""The budget workbook (DOMAIN.md section 4): its schema, reader, importer and writer."""

from fundmgr.workbook.export import workbook_rows
from fundmgr.workbook.importer import ImportResult, UnitTotal, workbook_import
from fundmgr.workbook.reader import WorkbookError
from fundmgr.workbook.writer import workbook_bytes, workbook_write

__all__ = ["ImportResult", "UnitTotal", "WorkbookError", "workbook_bytes", "workbook_import", "workbook_rows", "workbook_write"]
