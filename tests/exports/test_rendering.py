"""LibreOffice opens every generated file and prints it to PDF without error.

Needs Debian's libreoffice-calc and libreoffice-writer (`.ci/run` installs them); skipped with
the reason when soffice is missing.
"""

import pytest

from tests.exports.known_ledger import generated
from tests.exports.rendering import SOFFICE, to_pdf

FILES = {
    "self-evaluation": "xlsx",
    "project-evaluation": "xlsx",
    "execution": "xlsx",
    "expenditures": "xlsx",
    "workbook": "xlsx",
    "report": "docx",
}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc libreoffice-writer")
def test_libreoffice_converts_every_export_to_pdf(ledger, tmp_path):
    paths = []
    for what, extension in FILES.items():
        path = tmp_path / f"{what}.{extension}"
        path.write_bytes(generated(what, ledger.department_year))
        paths.append(path)
    result = to_pdf(paths, tmp_path)
    assert result.returncode == 0, result.stderr
    for path in paths:
        pdf = path.with_suffix(".pdf")
        assert pdf.exists(), f"{path.name} was not converted: {result.stdout} {result.stderr}"
        content = pdf.read_bytes()
        assert content.startswith(b"%PDF") and len(content) > 2000
