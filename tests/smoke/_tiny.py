"""Builders for tiny real models (random weights, trained tokenizers) used by the smoke tests.

Imported only by tests marked ``smoke``: it imports torch, transformers, tokenizers and peft.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
)

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Say hello in one short sentence.",
    "A tiny model answers every question with a few tokens.",
    "Open weights come with licenses, obligations and a lineage.",
    "user: hello assistant: hi there, how can I help?",
] * 20
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)


def bpe_tokenizer(*, bos: str = "<s>", eos: str = "</s>", chat: bool = False) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<unk>", bos, eos, "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, unk_token="<unk>", pad_token="<pad>"
    )
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def wordlevel_tokenizer() -> PreTrainedTokenizerFast:
    words = sorted({w.strip(".,?:").lower() for line in CORPUS for w in line.split()})
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.normalizer = normalizers.Lowercase()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def _save(model: Any, tok: Any, out: Path, card: str | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    if card is not None:
        (out / "README.md").write_text(card, encoding="utf-8")
    return out


def tiny_llama(out: Path) -> Path:
    torch.manual_seed(0)
    tok = bpe_tokenizer(chat=True)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=128,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    card = "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# tiny llama\n"
    return _save(LlamaForCausalLM(cfg), tok, out, card)


def tiny_gpt2(out: Path, dtype: torch.dtype = torch.float16) -> Path:
    torch.manual_seed(1)
    tok = bpe_tokenizer(bos="<|endoftext|>", eos="<|endoftext|>")
    cfg = GPT2Config(
        vocab_size=len(tok),
        n_embd=32,
        n_layer=2,
        n_head=4,
        n_positions=128,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    return _save(GPT2LMHeadModel(cfg).to(dtype), tok, out)


def _bert_config(tok: PreTrainedTokenizerFast, **extra: Any) -> BertConfig:
    return BertConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=64,
        pad_token_id=tok.pad_token_id,
        **extra,
    )


def tiny_bert(out: Path) -> Path:
    torch.manual_seed(2)
    tok = wordlevel_tokenizer()
    return _save(BertModel(_bert_config(tok)), tok, out)


def tiny_bert_classifier(out: Path) -> Path:
    torch.manual_seed(3)
    tok = wordlevel_tokenizer()
    cfg = _bert_config(
        tok, num_labels=2, id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1}
    )
    return _save(BertForSequenceClassification(cfg), tok, out)


def tiny_t5(out: Path) -> Path:
    torch.manual_seed(4)
    tok = bpe_tokenizer()
    cfg = T5Config(
        vocab_size=len(tok),
        d_model=32,
        d_ff=64,
        d_kv=8,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.pad_token_id,
    )
    return _save(T5ForConditionalGeneration(cfg), tok, out)


def lora_adapter(base: Path, out: Path, *, base_name: str | None = None) -> Path:
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(5)
    model = LlamaForCausalLM.from_pretrained(base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # peft calls a transformers API deprecated in v5
        peft_model = get_peft_model(
            model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
        )
    peft_model.save_pretrained(out)
    if base_name is not None:
        cfg_path = out / "adapter_config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["base_model_name_or_path"] = base_name
        cfg_path.write_text(json.dumps(cfg))
    return out


def poison_with_nan(folder: Path) -> None:
    """Overwrite every floating tensor of model.safetensors with NaN (shapes and names kept)."""
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    tensors = load_file(str(path))
    save_file(
        {k: torch.full_like(v, float("nan")) for k, v in tensors.items()},
        str(path),
        metadata={"format": "pt"},
    )
