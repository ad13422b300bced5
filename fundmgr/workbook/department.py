"""Which department an uploaded workbook is for: asked before a dry run's findings are shown
(fundmgr.workbook.upload, and the background dry run in fundmgr.tasks)."""

from fundmgr.workbook import schema


def file_was_read(result) -> bool:
    """Whether the importer could open the file: its refusals of the file itself name no sheet.
    Only such a file is opened again to read its department."""
    return not any(not error.sheet for error in result.errors)


def workbook_department_code(result, path) -> str | None:
    """The department the workbook is for: from the importer's result, else its 部门 sheet."""
    department_year = getattr(result, "department_year", None)
    department = getattr(department_year, "department", None)
    code = getattr(department, "code", None)
    return code or declared_department_code(path)


def declared_department_code(path) -> str | None:
    """The 部门 sheet's code of the workbook at `path` (a path or a file open for reading)."""
    from openpyxl import load_workbook  # openpyxl is heavy; pages that never import do not pay for it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a readable workbook: the importer has already said so
        return None
    try:
        if schema.DEPARTMENT.name not in book.sheetnames:
            return None
        rows = book[schema.DEPARTMENT.name].iter_rows(min_row=1, max_row=2, values_only=True)
        header, values = next(rows, ()), next(rows, ())
        for name, value in zip(header, values):
            if name in (schema.DEPARTMENT.column("code").header, "code") and value is not None:
                return str(value).strip()
        return None
    finally:
        book.close()
