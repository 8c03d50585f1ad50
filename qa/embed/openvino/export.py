"""Exporting a sentence-transformers model to OpenVINO, once, into a cache folder outside the package.

sentence-transformers' own `backend="openvino"` and its quantized export go through optimum-intel,
which cannot be installed next to the transformers release this project pins (it requires
transformers < 5.6). So the same steps are taken with the libraries underneath it: OpenVINO converts
the traced torch model, NNCF quantizes it to int8 by static calibration (its transformer preset:
SmoothQuant and bias correction, as optimum-intel's OVQuantizer uses), and the tokenizer is saved
as a `tokenizers` file, so that running an export needs neither torch nor transformers.

Exports are keyed by the model folder's fingerprint, the weight type and EXPORT_FORMAT. A folder is
complete once export.json is in it: it is assembled under a temporary name and renamed into place,
so concurrent first runs cannot leave a half-written export behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from qa.config import cache_root
from qa.embed.base import model_fingerprint
from qa.embed.openvino.calibration import calibration_texts, split
from qa.embed.openvino.runner import OpenVINORunner
from qa.embed.tokens import Tokens

EXPORT_FORMAT = 1  # bump when the exported files or their meaning change; older caches are then ignored
EXPORT_JSON = "export.json"
MODEL_XML = "model.xml"
TOKENIZER_JSON = "tokenizer.json"
WEIGHTS = ("fp32", "int8")
PRECISION_HINTS = ("f32", "bf16")  # OpenVINO's inference precisions for the non-int8 parts of a model
CALIBRATION_BATCH = 1  # one text a sample, so activation ranges are not diluted by padding


@dataclass(frozen=True)
class Export:
    """An exported model in the cache, as export.json describes it."""

    folder: Path
    weights: str
    dimension: int
    max_tokens: int
    input_names: tuple[str, ...]
    query_prompt: str
    document_prompt: str
    # Mean cosine between this export's vectors and the fp32 torch vectors, per precision hint,
    # on calibration texts the quantizer did not see.
    agreement: dict[str, float]

    @property
    def model_file(self) -> Path:
        return self.folder / MODEL_XML

    @property
    def tokenizer_file(self) -> Path:
        return self.folder / TOKENIZER_JSON

    def tokens(self) -> Tokens:
        return Tokens(self.tokenizer_file, self.max_tokens, self.input_names)


def export_folder(model_path: str, weights: str) -> Path:
    folder = Path(model_path)
    identity = model_fingerprint(folder) if folder.is_dir() else _name_fingerprint(model_path)
    return cache_root() / "models" / f"{identity}-openvino-{weights}-v{EXPORT_FORMAT}"


def exported(model_path: str, weights: str) -> Export:
    """The cached OpenVINO export of the model with fp32 or int8 weights, made first if missing."""
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}, not {weights!r}")
    folder = export_folder(model_path, weights)
    if not (folder / EXPORT_JSON).is_file():
        print(f"qa: exporting {model_path} to OpenVINO ({weights}), once, into {folder}", file=sys.stderr)
        with contextlib.redirect_stdout(sys.stderr):  # the converters' progress bars are not results
            _export(model_path, weights, folder)
    return read_export(folder)


def read_export(folder: Path) -> Export:
    data = json.loads((folder / EXPORT_JSON).read_text(encoding="utf-8"))
    return Export(folder=folder, **{**data, "input_names": tuple(data["input_names"])})


# -- making an export ------------------------------------------------------------------------------


def _export(model_path: str, weights: str, folder: Path) -> None:
    import openvino as ov

    from qa.embed.sentence_transformer import load_sentence_transformer_model

    source = load_sentence_transformer_model(model_path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        source.tokenizer.backend_tokenizer.save(str(work / TOKENIZER_JSON))
        export = Export(
            folder=work, weights=weights, dimension=int(source.get_embedding_dimension()),
            max_tokens=int(source.max_seq_length), input_names=_input_names(source),
            query_prompt=_prompt(source, ("query",)),
            document_prompt=_prompt(source, ("document", "passage", "corpus")), agreement={},
        )
        calibration, held_out = split(calibration_texts())
        model = _convert(source, export)
        if weights == "int8":
            model = _quantize(model, export.tokens(), calibration)
        ov.save_model(model, str(work / MODEL_XML), compress_to_fp16=False)
        agreement = {hint: _agreement(source, export, hint, held_out) for hint in PRECISION_HINTS}
        record = {key: value for key, value in asdict(export).items() if key != "folder"}
        (work / EXPORT_JSON).write_text(json.dumps({**record, "agreement": agreement}, indent=2) + "\n")
        _move_into_place(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gone already when it was moved into place


def _input_names(source) -> tuple[str, ...]:
    names = source.tokenizer.model_input_names
    return tuple(name for name in ("input_ids", "attention_mask", "token_type_ids") if name in names)


def _prompt(source, names: Sequence[str]) -> str:
    """The prompt sentence-transformers prepends for queries or documents, if the model has one."""
    prompts = getattr(source, "prompts", None) or {}
    return next((prompts[name] for name in names if prompts.get(name)), "")


def _convert(source, export: Export):
    """The whole sentence-transformers pipeline (transformer, pooling, normalisation) as one graph."""
    import openvino as ov
    import torch

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pipeline = source

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.pipeline(dict(zip(export.input_names, inputs)))["sentence_embedding"]

    # Two texts of different lengths, so that tracing sees padding and keeps both axes dynamic.
    batch = next(export.tokens().batches(["A short text.", "A somewhat longer text to trace with padding."], 2))
    example = tuple(torch.from_numpy(batch.feeds[name]) for name in export.input_names)
    with torch.no_grad(), warnings.catch_warnings():
        # Tracing freezes a few shape checks in transformers and pooling as constants, which hold for
        # every input here (one segment, a mask as long as the ids), and the converter's own use of
        # deprecated torch APIs warns too: noise to whoever triggered the one-time export.
        warnings.simplefilter("ignore")
        model = ov.convert_model(SentenceEmbedding().eval(), example_input=example)
    for port, name in zip(model.inputs, export.input_names):
        port.get_tensor().set_names({name})
    return model


def _quantize(model, tokens: Tokens, texts: list[str]):
    import nncf

    samples = [batch.feeds for batch in tokens.batches(texts, CALIBRATION_BATCH)]
    return nncf.quantize(
        model, nncf.Dataset(samples), model_type=nncf.ModelType.TRANSFORMER, subset_size=len(samples)
    )


def _agreement(source, export: Export, hint: str, texts: list[str]) -> float:
    reference = source.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    runner = OpenVINORunner(export, hint)
    vectors = runner.embed(texts, batch_size=16)
    return round(float(np.mean(np.sum(reference * vectors, axis=1))), 6)


def _move_into_place(work: Path, folder: Path) -> None:
    if (folder / EXPORT_JSON).is_file():
        return  # another process finished the same export first; its copy is as good as ours
    if folder.exists():
        shutil.rmtree(folder)  # an incomplete folder from an older layout: export.json is the seal
    work.rename(folder)


def _name_fingerprint(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]
