"""Small files of each kind a 佐证材料 may be, and a few that only pretend to be, for the evidence tests.

files(settings, tmp_path)   # the default storage in the test's own folder; returns that folder
upload("合同.pdf", PDF)     # an uploaded file as a browser sends it
"""

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fundmgr.demo.performance import demo_pdf

PDF = demo_pdf(["evidence"])
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def office_zip(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for part in parts:
            package.writestr(part, "<xml/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "佐证"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCX = office_zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = xlsx()
PLAIN_ZIP = office_zip("readme.txt")

ALLOWED = [
    ("报告.pdf", PDF, "pdf"),
    ("现场照片.jpg", JPEG, "jpeg"),
    ("现场照片.JPEG", JPEG, "jpeg"),
    ("签到表.png", PNG, "png"),
    ("总结.docx", DOCX, "docx"),
    ("台账.xlsx", XLSX, "xlsx"),
]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def files(settings, tmp_path: Path) -> Path:
    """Point the default storage at the test's own folder (never var/) and return it."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return sorted(path for path in location.rglob("*") if path.is_file()) if location.exists() else []
