"""LibreOffice headless and poppler, as the rendering checks use them."""

import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


def to_pdf(paths: list[Path], out_dir: Path) -> subprocess.CompletedProcess:
    """Convert files to PDF in one LibreOffice run, with a private profile so parallel runs do not clash."""
    profile = out_dir / "lo-profile"
    return subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False,
    )


def first_page_png(pdf: Path, png: Path, *, dpi: int = 110) -> None:
    stem = png.with_suffix("")
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=120)
