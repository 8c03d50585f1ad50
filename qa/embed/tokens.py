"""Tokenizing for exported models with the `tokenizers` library alone (no transformers, no torch).

Texts are sorted by token count before batching, so a batch pads to the length of similar texts
instead of the longest text of the whole call: padding is computed like any other token.

A compiled OpenVINO model keeps what it builds for each input shape it has run (up to 5,000 shapes),
so batches of every size and width grew a server by ~1 GB in ten minutes (RELIABILITY.md, item 5).
``bucketed_shape`` pads a batch to one of a few dozen shapes instead; padded tokens are masked out of
attention and pooling, and padded rows are dropped, so the vectors stay the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np


@dataclass(frozen=True)
class Batch:
    rows: np.ndarray  # positions of this batch's texts in the caller's list
    feeds: dict[str, np.ndarray]  # model inputs by name: input_ids, attention_mask, maybe token_type_ids


# Widths a batch pads to: steps of 16 tokens while padding would be a large share of short texts
# (queries, sentences), then of 32. With batch sizes padded to powers of two up to the batch size
# (1–32 at the default) that is 6 × 10 shapes for a 256-token model.
FINE_WIDTHS = 64
FINE_STEP, COARSE_STEP = 16, 32


def bucketed_shape(rows: int, width: int, batch_size: int, max_tokens: int) -> tuple[int, int]:
    """The (rows, width) a batch of ``rows`` texts of up to ``width`` tokens is padded to."""
    step = FINE_STEP if width <= FINE_WIDTHS else COARSE_STEP
    return min(1 << (rows - 1).bit_length(), batch_size), min(-(-width // step) * step, max_tokens)


class Tokens:
    """A model's tokenizer, set up as sentence-transformers calls it: truncated to the model's limit."""

    def __init__(self, tokenizer_file: Path, max_tokens: int, input_names: Sequence[str]) -> None:
        from tokenizers import Tokenizer

        self._max_tokens = max_tokens
        self._model_inputs = Tokenizer.from_file(str(tokenizer_file))
        # A saved tokenizer may carry padding to a fixed length; the batches pad themselves.
        self._model_inputs.no_padding()
        self._model_inputs.enable_truncation(max_tokens)
        self._counting = Tokenizer.from_file(str(tokenizer_file))
        self._counting.no_padding()
        self._counting.no_truncation()
        self._input_names = tuple(input_names)

    def count(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text without special tokens and without truncation, for chunking."""
        encodings = self._counting.encode_batch(list(texts), add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]

    def batches(self, texts: Sequence[str], batch_size: int, *, bucketed: bool = False) -> Iterator[Batch]:
        """Model inputs for the texts, in batches of similar length, longest first; ``bucketed`` pads
        each to ``bucketed_shape``, whose extra rows (a copy of the batch's last text) come after
        ``rows``. Quantization calibrates without it, so its activation ranges see no padding."""
        encodings = self._model_inputs.encode_batch(list(texts))
        lengths = np.array([len(encoding.ids) for encoding in encodings])
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            shape = (len(rows), int(lengths[rows].max()))
            if bucketed:
                shape = bucketed_shape(*shape, batch_size, self._max_tokens)
            batch = [encodings[row] for row in rows]
            yield Batch(rows, self._feeds(batch + batch[-1:] * (shape[0] - len(batch)), shape[1]))

    def _feeds(self, encodings: list, width: int) -> dict[str, np.ndarray]:
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        # Single-segment input: every token type is 0, like sentence-transformers sends.
        available = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {name: available[name] for name in self._input_names}
