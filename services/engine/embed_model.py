"""Tiny random embedding and reranker models generated locally, for tests and trying the plumbing offline.

A 2-layer `BertModel` (hidden 128, 2 heads of 64, vocabulary of a WordPiece tokenizer trained on a few
inline English and Chinese sentences; Chinese split into characters as BERT does) and, for the reranker,
the same body as a one-label `BertForSequenceClassification` (a cross-encoder). The weights are random
with a fixed seed: the vectors are deterministic and have the right shape, but carry no meaning, so
tests built on them check plumbing (dimension, normalisation, determinism, restarts), never quality.
Built in a temporary sibling folder and renamed into place, like the demo chat model.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .integrity import MANIFEST_NAME, write_manifest

if TYPE_CHECKING:
    from ..audit.checkpoints import Signer

__all__ = ["ensure_embed_model", "EMBED_DIM", "MARKER_FILE"]

MARKER_FILE = "hushdesk-embed-demo.json"
EMBED_DIM = 128
_SEED = 20261114
_VOCAB = 800
_CORPUS = (
    "How do I get a refund for my order? Refunds are paid to the original card within seven days.",
    "Shipping takes three business days; express delivery arrives the next day.",
    "Returns are accepted within thirty days if the item is unused and in its box.",
    "Please tell me your order number so I can check the delivery status.",
    "退款会在七个工作日内退回原支付账户。请提供您的订单号。",
    "快递一般三个工作日内送达，偏远地区可能需要更久。",
    "商品未使用且包装完好，三十天内可以退货。",
    "[PHONE_1] [EMAIL_1] [NAME_1] [ADDRESS_1] [ID_1] [CARD_1] 0123456789",
)


def ensure_embed_model(path: Path, *, rerank: bool = False, signer: Signer | None = None) -> Path:
    """Return `path`, generating the tiny model there first unless it already holds one (signed with `signer`)."""
    path = Path(path)
    if (path / MARKER_FILE).is_file() and (signer is None or (path / MANIFEST_NAME).is_file()):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        _build(tmp, rerank)
        if signer is not None:
            write_manifest(tmp, signer, tmp / MANIFEST_NAME)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _build(folder: Path, rerank: bool) -> None:
    # Deferred: torch and transformers are CPU-engine dependencies, heavy to import.
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, BertModel, PreTrainedTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(list(_CORPUS) * 4, trainers.WordPieceTrainer(vocab_size=_VOCAB, special_tokens=special,
                                                                          show_progress=False))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=512)
    fast.save_pretrained(str(folder))
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=EMBED_DIM, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=256, max_position_embeddings=512,
                        pad_token_id=tok.token_to_id("[PAD]"), num_labels=1)
    torch.manual_seed(_SEED)
    model = BertForSequenceClassification(config) if rerank else BertModel(config)
    model.eval()
    model.save_pretrained(str(folder), safe_serialization=True)
    (folder / MARKER_FILE).write_text(json.dumps({"demo": True, "rerank": rerank}) + "\n", encoding="utf-8")
