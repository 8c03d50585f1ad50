"""Real PDFs for tests, written by reportlab (a text layer, pages, metadata) and pypdf (encryption)."""

from __future__ import annotations

import io


def pdf_bytes(pages: list[list[str]], *, title: str | None = None, author: str | None = None) -> bytes:
    """A PDF with one page per item of ``pages``, each its lines of text (an empty page draws a box only)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    if title is not None:
        page.setTitle(title)
    if author is not None:
        page.setAuthor(author)
    for lines in pages:
        page.rect(50, 50, 100, 100)  # drawn, not text: a page of a scan has ink but no text layer
        for number, line in enumerate(lines):
            page.drawString(72, 750 - 18 * number, line)
        page.showPage()
    page.save()
    return buffer.getvalue()


def encrypted(data: bytes, password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
