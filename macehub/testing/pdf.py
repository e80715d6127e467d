"""The words of a PDF the hub produced, as poppler's ``pdftotext`` reads them, for tests
that check what a document says (and what it must not say)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def pdf_text(content: bytes, *, raw: bool = False) -> str:
    """The PDF's text; ``raw`` in content-stream order (a table's cells in the order they
    were written)."""
    found = shutil.which("pdftotext")
    if not found:
        raise RuntimeError("poppler-utils (pdftotext) is needed to read the PDF")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(content)
        options = ["-raw"] if raw else []
        return subprocess.run(  # noqa: S603 - a tool found on PATH, our own arguments
            [found, *options, str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
