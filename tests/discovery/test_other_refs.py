"""Discovery outside .py files: notebooks, configs, shell scripts, Dockerfiles, JavaScript / TypeScript."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import full, refs

from modelaudit.code_models import HowFound
from modelaudit.sources.code import discover, discover_text
from modelaudit.sources.code.walk import MAX_CODE_BYTES


def _notebook(cells: list[tuple[str, list[str]]]) -> bytes:
    doc = {
        "cells": [
            {
                "cell_type": kind,
                "metadata": {},
                "source": source,
                **({"outputs": []} if kind == "code" else {}),
            }
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1).encode()


def test_notebook_cells_are_one_module_and_lines_are_the_notebooks_own() -> None:
    data = _notebook(
        [
            (
                "code",
                ["!pip install transformers\n", "from transformers import AutoModel\n", 'MODEL = "acme/nb"'],
            ),
            ("markdown", ['AutoModel.from_pretrained("acme/in-markdown")']),
            ("code", ["%%time\n", "model = AutoModel.from_pretrained(MODEL)"]),
            ("code", ['this is not python AutoModel.from_pretrained("x/y")']),
        ]
    )
    ctx = discover_text("nb.ipynb", data)
    raw = data.decode().split("\n")
    line = next(i for i, text in enumerate(raw, 1) if "from_pretrained(MODEL)" in text)
    assert [(r.line, r.repo_id, r.how) for r in ctx.references] == [(line, "acme/nb", HowFound.CONSTANT)]
    bad = next(i for i, text in enumerate(raw, 1) if "this is not python" in text)
    assert [(p.line, "cell 4" in p.message) for p in ctx.problems] == [(bad, True)]


def test_yaml_keys_lists_mixers_merges_and_embedded_commands() -> None:
    got = refs(
        "config.yaml",
        """
        base_model: meta-llama/Llama-3.1-8B
        model: gpt-4o
        judge_model: openai/gpt-4o
        tokenizer: acme/tok
        hub_model_id: acme/output
        output_dir: acme/not-a-reference
        datasets:
          - path: tatsu-lab/alpaca
            type: alpaca
          - path: ./local.jsonl
        dataset_mixer:
          HuggingFaceH4/ultrachat_200k: 1.0
        models:
          - model: acme/m1
        services:
          app:
            command: python serve.py --model_name_or_path acme/served --port 80
            environment:
              - MODEL_ID=acme/env-model
              - EMBEDDING_MODEL_PATH=/models/emb
          k8s:
            args:
              - >-
                python -m vllm.entrypoints.openai.api_server --model
                acme/folded --tensor-parallel-size 2
        steps:
          - run: |
              pip install x
              huggingface-cli download acme/ci-model --revision 0123456789abcdef0123456789abcdef01234567
              hf download --repo-type dataset acme/ci-data
        """,
    )
    assert got == [
        (1, "model", "meta-llama/Llama-3.1-8B"),
        (4, "model", "acme/tok"),
        (8, "dataset", "tatsu-lab/alpaca"),
        (10, "dataset", "?local path"),
        (12, "dataset", "HuggingFaceH4/ultrachat_200k"),
        (14, "model", "acme/m1"),
        (17, "model", "acme/served"),
        (19, "model", "acme/env-model"),
        (20, "model", "?local path"),
        (25, "model", "acme/folded"),
        (29, "model", "acme/ci-model@0123456789abcdef0123456789abcdef01234567"),
        (30, "dataset", "acme/ci-data"),
    ]


def test_json_and_toml_configuration_keys() -> None:
    assert refs(
        "train.json",
        """
        {
          "model_name_or_path": "acme/json-model",
          "tokenizer_name": null,
          "dataset": "squad",
          "dataset_name": "acme/json-data",
          "output_dir": "acme/not"
        }
        """,
    ) == [
        (2, "model", "acme/json-model"),
        (5, "dataset", "acme/json-data"),
    ]  # a bare dataset name: not Hub-shaped
    assert refs(
        "app.toml",
        """
        [model]
        model_id = "acme/toml-model"
        name = "ignored"
        [data]
        dataset = "acme/toml-data"
        """,
    ) == [(2, "model", "acme/toml-model"), (5, "dataset", "acme/toml-data")]
    ctx = discover_text("bad.yaml", b"model: [unclosed\n")
    assert ctx.references == [] and "not valid YAML" in ctx.problems[0].message


def test_shell_downloads_servers_flags_variables_loops_and_urls() -> None:
    got = refs(
        "run.sh",
        """
        #!/bin/bash
        # huggingface-cli download acme/commented
        MODEL=acme/var-model
        export BASE_MODEL=acme/exported
        echo "see https://huggingface.co/acme/echoed"
        huggingface-cli download $MODEL --local-dir ./m
        hf download "${DATA:-acme/default-data}" --repo-type dataset
        for m in acme/a acme/b; do
          nohup vllm serve $m --port 8000 &
        done
        python train.py \\
          --model_name_or_path "$1" \\
          --dataset_name wikitext \\
          --model_type llama \\
          --output_dir out
        python -c "from transformers import AutoModel; AutoModel.from_pretrained('acme/py-c')"
        git clone https://huggingface.co/datasets/acme/cloned
        wget https://hf.co/acme/file/resolve/v1.0/x.gguf
        printf '%s' acme/piped | xargs huggingface-cli download
        cat <<EOF
        huggingface-cli download acme/in-heredoc
        EOF
        """,
    )
    assert got == [
        (4, "model", "acme/exported"),
        (6, "model", "acme/var-model"),
        (7, "dataset", "acme/default-data"),
        (9, "model", "acme/a"),
        (9, "model", "acme/b"),
        (12, "model", "?command-line argument"),
        (16, "model", "acme/py-c"),
        (17, "dataset", "acme/cloned"),
        (18, "model", "acme/file@v1.0"),
        (19, "model", "?command input"),
    ]


def test_dockerfile_instructions() -> None:
    got = full(
        "Dockerfile",
        """
        FROM python:3.11
        ARG REPO=https://huggingface.co/acme/arg-url
        ARG MODEL_ID=acme/build-arg
        ENV EMBEDDING_MODEL=sentence-transformers/all-MiniLM-L6-v2 \\
            OTHER=1
        RUN pip install x && \\
            huggingface-cli download ${MODEL_ID} && \\
            python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('all-mpnet-base-v2')"
        CMD ["python", "-m", "vllm.entrypoints.openai.api_server", "--model", "acme/cmd-model"]
        """,
    )
    assert [(r.line, r.site, r.repo_id, r.how) for r in got] == [
        (2, "url", "acme/arg-url", HowFound.URL),
        (4, "ENV EMBEDDING_MODEL", "sentence-transformers/all-MiniLM-L6-v2", HowFound.CONFIG),
        (7, "huggingface-cli download", "acme/build-arg", HowFound.CONSTANT),
        (8, "SentenceTransformer", "sentence-transformers/all-mpnet-base-v2", HowFound.LITERAL),
        (9, "--model", "acme/cmd-model", HowFound.LITERAL),
    ]


def test_transformers_js_calls_and_what_is_not_transformers_js() -> None:
    got = refs(
        "worker.ts",
        """
        import { pipeline, AutoTokenizer } from "@huggingface/transformers";
        // const p = await pipeline('x', 'acme/commented');
        const MODEL_ID: string = 'Xenova/model-a';
        class Factory {
          static task = 'feature-extraction';
          static model = 'Xenova/static';
          static async get() { return pipeline(this.task, this.model); }
        }
        export function load(model = 'Xenova/default') { return pipeline('feature-extraction', model); }
        const a = await pipeline('sentiment-analysis');
        const t = await AutoTokenizer.from_pretrained(MODEL_ID);
        const url = "https://huggingface.co/datasets/acme/js-data/resolve/main/x.wav";
        """,
    )
    assert got == [
        (7, "model", "Xenova/static"),
        (9, "model", "Xenova/default"),
        (10, "model", "?task default"),
        (11, "model", "Xenova/model-a"),
        (12, "dataset", "acme/js-data"),
    ]
    streams = "function pipeline() { return 1 }\nmodule.exports = pipeline('a', 'b/c');\n"
    assert refs("node_stream.js", streams) == []


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_discover_reads_git_s_files_skips_dependencies_and_reports_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('acme/app')\n"
    )
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "x.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('a/b')\n"
    )
    (tmp_path / ".gitignore").write_text("ignored/\n")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "i.js").write_text(
        "import {pipeline} from '@xenova/transformers'\npipeline('x', 'dep/model')\n"
    )
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "fetch").write_text("#!/bin/sh\nhf download acme/no-suffix\n")
    (tmp_path / "big.py").write_bytes(b"#" * (MAX_CODE_BYTES + 1))
    (tmp_path / "models" / "chat").mkdir(parents=True)
    (tmp_path / "models" / "chat" / "config.json").write_text("{}")
    (tmp_path / "use.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('models/chat')\n"
    )
    for found in (discover(str(tmp_path)),):  # a plain folder
        assert [(r.file, r.repo_id or r.unresolved) for r in found.references] == [
            ("app.py", "acme/app"),
            ("ignored/x.py", "a/b"),
            ("scripts/fetch", "acme/no-suffix"),
            ("use.py", "local path"),
        ]
        assert [(p.file, "MiB" in p.message) for p in found.problems] == [("big.py", True)]
    _git(tmp_path, "init", "-q")
    in_git = discover(str(tmp_path))  # a work tree: what git ignores is not the application's code
    assert [(r.file, r.repo_id or r.unresolved) for r in in_git.references] == [
        ("app.py", "acme/app"),
        ("scripts/fetch", "acme/no-suffix"),
        ("use.py", "local path"),
    ]


def test_what_the_held_out_set_taught() -> None:
    """Forms the held-out files showed that the first set had not (each found there before it was handled)."""
    # key=value arguments (LLaMA-Factory, Hydra overrides, docker run -e); a bare dataset name is not a repo
    assert refs(
        "train.sh",
        """
        llamafactory-cli train cfg.yaml \\
          model_name_or_path=Qwen/Qwen2.5-0.5B-Instruct \\
          dataset=alpaca_en_demo output_dir=out
        python run.py model.pretrained_model_name_or_path=acme/hydra
        docker run -e MODEL_ID=acme/served img
        """,
    ) == [(2, "model", "Qwen/Qwen2.5-0.5B-Instruct"), (4, "model", "acme/hydra"), (5, "model", "acme/served")]
    # a merge conflict's markers are not a here-document; a here-string is not one either
    assert refs(
        "run.sh",
        """
        <<<<<<< HEAD
        python a.py --model="acme/ours"
        =======
        python a.py --model="acme/theirs"
        >>>>>>> 3b1f16e (update)
        cat <<< "text"
        hf download acme/after
        """,
    ) == [(2, "model", "acme/ours"), (4, "model", "acme/theirs"), (7, "model", "acme/after")]
    # a dataset owner that is also an API provider's name is still a dataset; a bare --dataset_name is not
    assert refs(
        "t.sh",
        "python t.py --model=databricks/dbrx --dataset=databricks/databricks-dolly-15k --dataset_name data.hf\n",
    ) == [(1, "dataset", "databricks/databricks-dolly-15k")]
    # ${NAME:-default} in configuration: the default when it names a repo, else the environment
    assert refs(
        "docker-compose.yml",
        """
        services:
          api:
            environment:
              EMBEDDING_MODEL: ${EMB:-jina-embeddings-v5}
              RERANK_MODEL: ${RERANK:-BAAI/bge-reranker-v2-m3}
              - unused
        """.replace("      - unused\n", ""),
    ) == [(4, "model", "?environment variable"), (5, "model", "BAAI/bge-reranker-v2-m3")]
    # from_pretrained() in JavaScript without a transformers.js import (kokoro-js builds on it); pipeline() not
    assert refs(
        "tts.ts",
        """
        import { KokoroTTS } from "kokoro-js";
        import { pipeline } from "node:stream/promises";
        const model_id = "onnx-community/Kokoro-82M-v1.0-ONNX";
        const tts = await KokoroTTS.from_pretrained(model_id, { dtype: "fp32" });
        await pipeline(src, "not-a-model", dst);
        """,
    ) == [(4, "model", "onnx-community/Kokoro-82M-v1.0-ONNX")]


def test_what_the_second_held_out_set_taught() -> None:
    """Real loads the second held-out set's labels named outside the first definition (CORRECTIONS.md there)."""
    # from_pretrained's variants (transformer_lens); the pre-filter lets them through
    assert refs(
        "probe.py",
        """
        from transformer_lens import HookedTransformer
        MODEL_PATH = "Qwen/Qwen-1_8B-chat"
        model = HookedTransformer.from_pretrained_no_processing(
            MODEL_PATH,
            device="cuda",
        )
        """,
    ) == [(4, "model", "Qwen/Qwen-1_8B-chat")]
    # OpenRLHF's --pretrain flags and verl's partial_pretrain: weak keys (a bare word or a boolean is not a repo)
    assert refs(
        "grpo.sh",
        """
        POLICY=Qwen/Qwen2.5-Math-1.5B
        deepspeed train_ppo_ray.py --pretrain $POLICY --ref_pretrain $POLICY --reward_pretrain rm \\
          --critic_pretrain /ckpt/critic
        python other.py --pretrain true
        """,
    ) == [
        (2, "model", "Qwen/Qwen2.5-Math-1.5B"),
        (2, "model", "Qwen/Qwen2.5-Math-1.5B"),
        (3, "model", "?local path"),
    ]
    assert refs("sft.yaml", "model:\n  partial_pretrain: ~/models/gemma\n") == [(2, "model", "?local path")]
