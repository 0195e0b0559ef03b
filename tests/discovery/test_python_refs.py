"""Python discovery: every loading call, every way a name reaches it, and what is never a reference."""

from __future__ import annotations

import json

from helpers import full, refs

from modelaudit.code_models import HowFound
from modelaudit.sources.code import discover_text
from modelaudit.sources.code.python import trigger_lines


def test_transformers_diffusers_peft_from_pretrained_and_their_names() -> None:
    got = refs(
        "app.py",
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from diffusers import DiffusionPipeline
        from peft import PeftModel, PeftConfig, AutoPeftModelForCausalLM

        tok = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B", revision="0123456789abcdef0123456789abcdef01234567")
        base = AutoModelForCausalLM.from_pretrained(
            "meta-llama/Llama-3.1-8B",
        )
        model = PeftModel.from_pretrained(base, "acme/llama-lora")
        cfg = PeftConfig.from_pretrained("acme/llama-lora")
        auto = AutoPeftModelForCausalLM.from_pretrained("acme/other-lora")
        pipe = DiffusionPipeline.from_pretrained(pretrained_model_name_or_path="stabilityai/sdxl-turbo")
        pipe.load_lora_weights("acme/sd-lora")
        gpt = AutoModelForCausalLM.from_pretrained("gpt2")
        """,
    )
    assert got == [
        (5, "model", "meta-llama/Llama-3.1-8B@0123456789abcdef0123456789abcdef01234567"),
        (7, "model", "meta-llama/Llama-3.1-8B"),
        (9, "model", "acme/llama-lora"),
        (10, "model", "acme/llama-lora"),
        (11, "model", "acme/other-lora"),
        (12, "model", "stabilityai/sdxl-turbo"),
        (13, "model", "acme/sd-lora"),
        (14, "model", "gpt2"),
    ]


def test_pipeline_hub_downloads_datasets_vllm_llama_cpp_sentence_transformers() -> None:
    got = refs(
        "app.py",
        """
        from transformers import pipeline
        from huggingface_hub import hf_hub_download, snapshot_download
        from datasets import load_dataset
        from vllm import LLM
        from llama_cpp import Llama
        from sentence_transformers import SentenceTransformer, CrossEncoder

        a = pipeline("text-classification", model="acme/classifier")
        b = pipeline("summarization", "acme/summarizer")
        c = pipeline("sentiment-analysis")
        hf_hub_download(repo_id="acme/weights", filename="x.safetensors")
        hf_hub_download("acme/data", "train.csv", repo_type="dataset")
        snapshot_download("acme/space", repo_type="space")
        load_dataset("imdb")
        load_dataset("acme/corpus", "en", split="train")
        load_dataset("json", data_files="local.json")
        llm = LLM(model="Qwen/Qwen2.5-7B-Instruct")
        gguf = Llama.from_pretrained(repo_id="Qwen/Qwen2-0.5B-Instruct-GGUF", filename="*q8_0.gguf")
        local = Llama(model_path="./models/llama.gguf")
        st = SentenceTransformer("all-MiniLM-L6-v2")
        st2 = SentenceTransformer("BAAI/bge-small-en-v1.5")
        ce = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
        """,
    )
    assert got == [
        (8, "model", "acme/classifier"),
        (9, "model", "acme/summarizer"),
        (10, "model", "?task default"),
        (11, "model", "acme/weights"),
        (12, "dataset", "acme/data"),
        (14, "dataset", "imdb"),
        (15, "dataset", "acme/corpus"),
        (17, "model", "Qwen/Qwen2.5-7B-Instruct"),
        (18, "model", "Qwen/Qwen2-0.5B-Instruct-GGUF"),
        (19, "model", "?local path"),
        (20, "model", "sentence-transformers/all-MiniLM-L6-v2"),
        (21, "model", "BAAI/bge-small-en-v1.5"),
        (22, "model", "cross-encoder/ms-marco-MiniLM-L-6-v2"),
    ]


def test_names_resolved_through_constants_defaults_argparse_click_and_environment() -> None:
    text = """
        import argparse
        import os

        import click
        from transformers import AutoModel

        BASE = "acme/base"

        def load(name="acme/default-arg", other=None):
            AutoModel.from_pretrained(name)
            AutoModel.from_pretrained(BASE)
            AutoModel.from_pretrained(other)

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="acme/argparse")
            parser.add_argument("--required", required=True)
            args = parser.parse_args()
            AutoModel.from_pretrained(args.model_name)
            AutoModel.from_pretrained(args.required)
            AutoModel.from_pretrained(os.environ.get("MODEL", "acme/env-fallback"))
            AutoModel.from_pretrained(os.getenv("NO_DEFAULT"))
            AutoModel.from_pretrained(f"{BASE}-instruct")

        @click.command()
        @click.option("--base", "base_model", default="acme/click")
        def cli(base_model):
            AutoModel.from_pretrained(base_model)
        """
    got = full("app.py", text)
    assert [(r.line, r.repo_id or f"?{r.unresolved}", r.how) for r in got] == [
        (10, "acme/default-arg", HowFound.DEFAULT),
        (11, "acme/base", HowFound.CONSTANT),
        (12, "?parameter", None),
        (19, "acme/argparse", HowFound.DEFAULT),
        (20, "?command-line argument", None),
        (21, "acme/env-fallback", HowFound.DEFAULT),
        (22, "?environment variable", None),
        (23, "acme/base-instruct", HowFound.CONSTANT),
        (28, "acme/click", HowFound.DEFAULT),
    ]


def test_the_last_assignment_before_the_use_loops_dicts_and_class_attributes() -> None:
    got = refs(
        "app.py",
        """
        from dataclasses import dataclass, field
        from huggingface_hub import hf_hub_download
        from transformers import AutoModel, HfArgumentParser

        repo = "acme/first"
        hf_hub_download(repo_id=repo, filename="a")
        repo = "acme/second"
        hf_hub_download(repo_id=repo, filename="b")
        for name in ["acme/one", "acme/two"]:
            AutoModel.from_pretrained(name)
        MODELS = [{"repo_id": "acme/x"}, {"repo_id": "acme/y"}]
        for m in MODELS:
            hf_hub_download(m["repo_id"], "f")
        CONFIG = {"model": "acme/from-dict"}
        AutoModel.from_pretrained(CONFIG["model"])

        class Service:
            NAME = "acme/class-attr"
            def __init__(self):
                self.other = "acme/self-attr"
            def load(self):
                return AutoModel.from_pretrained(self.NAME), AutoModel.from_pretrained(self.other)

        @dataclass
        class ModelArguments:
            model_name_or_path: str = field(default="acme/dataclass")

        model_args, = HfArgumentParser(ModelArguments).parse_args_into_dataclasses()
        AutoModel.from_pretrained(model_args.model_name_or_path)
        """,
    )
    assert got == [
        (6, "model", "acme/first"),
        (8, "model", "acme/second"),
        (10, "model", "acme/one"),
        (10, "model", "acme/two"),
        (13, "model", "acme/x"),
        (13, "model", "acme/y"),
        (15, "model", "acme/from-dict"),
        (22, "model", "acme/class-attr"),
        (22, "model", "acme/self-attr"),
        (29, "model", "acme/dataclass"),
    ]


def test_unresolved_references_say_why_and_are_never_guessed() -> None:
    got = refs(
        "app.py",
        """
        import sys
        from config import MODEL
        from transformers import AutoModel

        AutoModel.from_pretrained("./checkpoints/run1")
        AutoModel.from_pretrained("/data/models/llama")
        AutoModel.from_pretrained("C:\\\\models\\\\x")
        AutoModel.from_pretrained(sys.argv[1])
        AutoModel.from_pretrained(MODEL)
        AutoModel.from_pretrained(f"{sys.argv[1]}/model")
        AutoModel.from_pretrained("my-finetuned-model")
        AutoModel.from_pretrained("https://example.com/model")
        AutoModel.from_pretrained(get_name())
        """,
    )
    assert got == [
        (5, "model", "?local path"),
        (6, "model", "?local path"),
        (7, "model", "?local path"),
        (8, "model", "?command-line argument"),
        (9, "model", "?imported name"),
        (10, "model", "?command-line argument"),
        (11, "model", "?not a Hub id"),
        (12, "model", "?not a Hub URL"),
        (13, "model", "?expression"),
    ]


def test_a_folder_of_the_project_is_a_local_path_not_a_hub_id() -> None:
    text = """
        from transformers import AutoModel
        AutoModel.from_pretrained("models/chat")
        AutoModel.from_pretrained("acme/chat")
        """
    assert refs("app.py", text, exists={"models/chat"}) == [
        (2, "model", "?local path"),
        (3, "model", "acme/chat"),
    ]


def test_what_is_never_a_reference() -> None:
    text = '''
        """Load a model.

        >>> AutoModel.from_pretrained("doc/example")
        """
        from sklearn.pipeline import Pipeline, make_pipeline
        from myproject.data import load_dataset
        from transformers import AutoModel, pipeline

        # AutoModel.from_pretrained("commented/out")
        clf = make_pipeline(None)
        data = load_dataset("path/to/file.jsonl")
        model = AutoModel.from_pretrained("acme/real")
        p = pipeline("text-generation", model=model)
        model.save_pretrained("acme/output")
        model.push_to_hub("acme/pushed")

        def run(model, tokenizer):
            return pipeline("text-generation", model=model, tokenizer=tokenizer)

        class LLM:
            pass

        LLM(model="acme/not-vllm")
        '''
    assert refs("app.py", text) == [(12, "model", "acme/real")]


def test_invalid_python_is_a_problem_not_a_silent_pass_and_shell_escapes_are_tolerated() -> None:
    ok = refs("nb_export.py", "!pip install vllm\nfrom vllm import LLM\nllm = LLM(model='acme/m')\n")
    assert ok == [(3, "model", "acme/m")]
    ctx = discover_text("broken.py", b"from transformers import AutoModel\nAutoModel.from_pretrained('x/y'\n")
    assert ctx.references == []
    assert len(ctx.problems) == 1 and "not valid Python" in ctx.problems[0].message


def test_the_pre_filter_skips_comments_and_doctests_and_sees_aliases() -> None:
    assert trigger_lines(b"# AutoModel.from_pretrained('x')\n>>> pipeline('y')\nx = 1\n") == set()
    assert trigger_lines(b"m = AutoModel.from_pretrained(\n  'x')\n") == {1}
    assert trigger_lines(b"from datasets import load_dataset as ld\nld('imdb')\n") is None
    got = refs("app.py", "from datasets import load_dataset as ld\nds = ld('imdb')\n")
    assert got == [(2, "dataset", "imdb")]


def test_embeddings_wrappers_faster_whisper_and_trl_trainers() -> None:
    got = refs(
        "app.py",
        """
        from langchain_huggingface import HuggingFaceEmbeddings
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from faster_whisper import WhisperModel
        from trl import SFTTrainer

        e1 = HuggingFaceEmbeddings(model_name="all-mpnet-base-v2")
        e2 = HuggingFaceEmbedding(model_name="BAAI/bge-base-en-v1.5")
        w = WhisperModel("Systran/faster-whisper-small")
        t = SFTTrainer(model="Qwen/Qwen2.5-0.5B", train_dataset=None)
        """,
    )
    assert got == [
        (6, "model", "sentence-transformers/all-mpnet-base-v2"),
        (7, "model", "BAAI/bge-base-en-v1.5"),
        (8, "model", "Systran/faster-whisper-small"),
        (9, "model", "Qwen/Qwen2.5-0.5B"),
    ]


def test_hub_urls_at_loading_calls_carry_their_kind_and_revision() -> None:
    got = full(
        "app.py",
        """
        from diffusers import StableDiffusionPipeline
        StableDiffusionPipeline.from_single_file(
            "https://huggingface.co/acme/sd/blob/0123456789abcdef0123456789abcdef01234567/model.safetensors"
        )
        """,
    )
    assert [(r.line, r.repo_id, r.revision, r.how) for r in got] == [
        (3, "acme/sd", "0123456789abcdef0123456789abcdef01234567", HowFound.URL)
    ]
    assert got[0].pinned


def test_dict_calls_are_read_like_dict_literals() -> None:
    assert refs(
        "train.py",
        """
        from transformers import AutoModel
        config = dict(lr=5e-6, model="openai/whisper-large-v2")
        MODEL = config["model"]
        AutoModel.from_pretrained(MODEL)
        opts = dict(**config)
        AutoModel.from_pretrained(opts["model"])
        """,
    ) == [(4, "model", "openai/whisper-large-v2"), (6, "model", "?expression")]


def test_the_applications_code_raises_no_compiler_warning_in_our_output() -> None:
    import warnings

    text = 'import re\nfrom transformers import pipeline\nP = re.compile("\\w+")\npipeline("ner", model="dslim/bert-base-NER")\n'
    nb = json.dumps({"cells": [{"cell_type": "code", "source": text.splitlines(keepends=True)}]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [r.repo_id for r in discover_text("app.py", text.encode()).references]
        got += [r.repo_id for r in discover_text("nb.ipynb", nb.encode()).references]
    assert got == ["dslim/bert-base-NER", "dslim/bert-base-NER"]
    assert [str(w.message) for w in caught] == []
