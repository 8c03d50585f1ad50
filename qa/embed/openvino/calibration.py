"""Calibration text for int8 quantization, and held-out text to measure agreement with fp32."""

from __future__ import annotations

from pathlib import Path

CALIBRATION_TEXT = Path(__file__).with_name("calibration.txt")


def calibration_texts() -> list[str]:
    """Sentences, questions, paragraphs and runs of paragraphs from the calibration file: the range of
    lengths the model sees, from a search query to a chunk at the model's token limit."""
    paragraphs, questions = _calibration_parts()
    sentences = [s.strip() + "." for paragraph in paragraphs for s in paragraph.split(". ") if s.strip()]
    runs = [" ".join(paragraphs[i : i + width]) for width in (2, 3) for i in range(len(paragraphs))]
    return questions + sentences[::3] + paragraphs + runs


def _calibration_parts() -> tuple[list[str], list[str]]:
    paragraphs, questions = [], []
    for block in CALIBRATION_TEXT.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        questions += [line[1:].strip() for line in lines if line.startswith("?")]
        prose = " ".join(line for line in lines if not line.startswith("?"))
        if prose:
            paragraphs.append(prose)
    return paragraphs, questions


def split(texts: list[str]) -> tuple[list[str], list[str]]:
    """Every third text held out to measure agreement; the rest calibrate."""
    return [t for i, t in enumerate(texts) if i % 3], texts[::3]
