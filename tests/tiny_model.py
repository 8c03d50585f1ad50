"""Builds tiny sentence-transformers models offline, an embedder and a CrossEncoder: a WordPiece
vocabulary trained on fixture text and a 2-layer BERT with seeded random weights. They exercise the real
library code paths in seconds; their scores carry no meaning, so ranking tests use the real bundled MiniLM
instead."""

from __future__ import annotations

from pathlib import Path

FIXTURE_TEXT = Path(__file__).resolve().parent.parent / "data" / "sample"


def train_wordpiece(backbone: Path, max_tokens: int):
    """A WordPiece tokenizer trained on the fixture text, saved in ``backbone`` (created)."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    corpus = [path.read_text(encoding="utf-8") for path in sorted(FIXTURE_TEXT.glob("*"))]
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(corpus, vocab_size=600, min_frequency=1)
    backbone.mkdir(parents=True)
    wordpiece.save_model(str(backbone))
    tokenizer = BertTokenizerFast(vocab_file=str(backbone / "vocab.txt"), model_max_length=max_tokens)
    tokenizer.save_pretrained(backbone)
    return tokenizer


def build_tiny_model(folder: Path, *, dimension: int = 32, max_tokens: int = 128, seed: int = 7) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models
    from transformers import BertConfig, BertModel

    backbone = folder / "backbone"
    tokenizer = train_wordpiece(backbone, max_tokens)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=dimension, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * dimension, max_position_embeddings=max_tokens + 2,
    )
    BertModel(config).save_pretrained(backbone)

    transformer = models.Transformer(str(backbone), max_seq_length=max_tokens)
    pooling = models.Pooling(dimension, pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    target = folder / "tiny-st"
    model.save(str(target))
    return target


def build_tiny_cross_encoder(folder: Path, *, hidden: int = 32, seed: int = 11) -> Path:
    """A 2-layer BERT sequence classifier with seeded random weights and a WordPiece vocabulary trained
    on the sample articles, saved as a sentence-transformers CrossEncoder."""
    import torch
    from sentence_transformers import CrossEncoder
    from transformers import BertConfig, BertForSequenceClassification

    backbone = folder / "backbone"
    tokenizer = train_wordpiece(backbone, max_tokens=128)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * hidden, max_position_embeddings=130, num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(backbone)
    target = folder / "tiny-cross-encoder"
    CrossEncoder(str(backbone), device="cpu", local_files_only=True).save(str(target))
    return target
