"""Tokenizing for exported models with the `tokenizers` library alone (no transformers, no torch).

Texts are sorted by token count before batching, so a batch pads to the length of similar texts
instead of the longest text of the whole call: padding is computed like any other token."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np


@dataclass(frozen=True)
class Batch:
    rows: np.ndarray  # positions of this batch's texts in the caller's list
    feeds: dict[str, np.ndarray]  # model inputs by name: input_ids, attention_mask, maybe token_type_ids


class Tokens:
    """A model's tokenizer, set up as sentence-transformers calls it: truncated to the model's limit."""

    def __init__(self, tokenizer_file: Path, max_tokens: int, input_names: Sequence[str]) -> None:
        from tokenizers import Tokenizer

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

    def batches(self, texts: Sequence[str], batch_size: int) -> Iterator[Batch]:
        """Model inputs for the texts, in batches of similar length, longest first."""
        encodings = self._model_inputs.encode_batch(list(texts))
        lengths = np.array([len(encoding.ids) for encoding in encodings])
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            yield Batch(rows, self._feeds([encodings[row] for row in rows], int(lengths[rows].max())))

    def _feeds(self, encodings: list, width: int) -> dict[str, np.ndarray]:
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        # Single-segment input: every token type is 0, like sentence-transformers sends.
        available = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return {name: available[name] for name in self._input_names}
