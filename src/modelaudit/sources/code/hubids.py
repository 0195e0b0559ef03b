"""Telling a value written in code apart: a Hub repo id, a Hub URL, a local path, another URL, or a bare name.

Shared by every language's discovery. Pure functions over strings; the tables are facts about the Hub and
about the libraries that read names (sources in the comments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from modelaudit.models import RepoKind
from modelaudit.targets import valid_repo_id

# Model ids the Hub still accepts without a namespace (the original canonical repos, since moved under
# openai-community/, google-bert/, google-t5/, distilbert/, FacebookAI/, albert/, ... with redirects kept; the
# list of names sentence-transformers keeps as ``basic_transformer_models`` is this same set). A bare name
# outside it is not a Hub model id.
CANONICAL_MODELS = frozenset(
    {
        "albert-base-v1",
        "albert-base-v2",
        "albert-large-v1",
        "albert-large-v2",
        "albert-xlarge-v1",
        "albert-xlarge-v2",
        "albert-xxlarge-v1",
        "albert-xxlarge-v2",
        "bert-base-cased",
        "bert-base-cased-finetuned-mrpc",
        "bert-base-chinese",
        "bert-base-german-cased",
        "bert-base-german-dbmdz-cased",
        "bert-base-german-dbmdz-uncased",
        "bert-base-multilingual-cased",
        "bert-base-multilingual-uncased",
        "bert-base-uncased",
        "bert-large-cased",
        "bert-large-cased-whole-word-masking",
        "bert-large-cased-whole-word-masking-finetuned-squad",
        "bert-large-uncased",
        "bert-large-uncased-whole-word-masking",
        "bert-large-uncased-whole-word-masking-finetuned-squad",
        "camembert-base",
        "ctrl",
        "distilbert-base-cased",
        "distilbert-base-cased-distilled-squad",
        "distilbert-base-german-cased",
        "distilbert-base-multilingual-cased",
        "distilbert-base-uncased",
        "distilbert-base-uncased-distilled-squad",
        "distilbert-base-uncased-finetuned-sst-2-english",
        "distilgpt2",
        "distilroberta-base",
        "gpt2",
        "gpt2-large",
        "gpt2-medium",
        "gpt2-xl",
        "openai-gpt",
        "roberta-base",
        "roberta-base-openai-detector",
        "roberta-large",
        "roberta-large-mnli",
        "roberta-large-openai-detector",
        "t5-11b",
        "t5-3b",
        "t5-base",
        "t5-large",
        "t5-small",
        "transfo-xl-wt103",
        "xlm-clm-ende-1024",
        "xlm-clm-enfr-1024",
        "xlm-mlm-100-1280",
        "xlm-mlm-17-1280",
        "xlm-mlm-en-2048",
        "xlm-mlm-ende-1024",
        "xlm-mlm-enfr-1024",
        "xlm-mlm-enro-1024",
        "xlm-mlm-tlm-xnli15-1024",
        "xlm-mlm-xnli15-1024",
        "xlm-roberta-base",
        "xlm-roberta-large",
        "xlm-roberta-large-finetuned-conll02-dutch",
        "xlm-roberta-large-finetuned-conll02-spanish",
        "xlm-roberta-large-finetuned-conll03-english",
        "xlm-roberta-large-finetuned-conll03-german",
        "xlnet-base-cased",
        "xlnet-large-cased",
    }
)

# datasets' packaged builders: load_dataset("json", data_files=...) reads local files, not a Hub dataset
PACKAGED_BUILDERS = frozenset(
    {
        "arrow",
        "audiofolder",
        "cache",
        "csv",
        "generator",
        "imagefolder",
        "json",
        "niftifolder",
        "pandas",
        "parquet",
        "pdffolder",
        "spark",
        "sql",
        "text",
        "videofolder",
        "webdataset",
        "xml",
    }
)

# First path segments of huggingface.co URLs that are pages, not repos
_RESERVED = frozenset(
    {
        "api",
        "blog",
        "chat",
        "collections",
        "docs",
        "enterprise",
        "join",
        "learn",
        "login",
        "models",
        "new",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "settings",
        "tasks",
        "terms-of-service",
        "privacy",
    }
)

# "provider/model" names of hosted-API clients (LiteLLM, OpenRouter, Gemini ...): Hub-shaped, not Hub repos.
# Used where a value is only a reference if it looks like one (a `model:` key), never at a loading call.
API_PROVIDERS = frozenset(
    {
        "anthropic",
        "azure",
        "azure_ai",
        "bedrock",
        "cloudflare",
        "cohere",
        "databricks",
        "deepinfra",
        "fireworks_ai",
        "gemini",
        "groq",
        "litellm",
        "mistral",
        "models",
        "nvidia_nim",
        "ollama",
        "ollama_chat",
        "openai",
        "openrouter",
        "perplexity",
        "sagemaker",
        "together_ai",
        "vertex_ai",
        "voyage",
        "watsonx",
        "xai",
    }
)

# First segments of a relative path that are a folder of the project, not a Hub namespace
_LOCAL_FIRST = frozenset(
    {
        "output",
        "outputs",
        "checkpoints",
        "checkpoint",
        "ckpt",
        "ckpts",
        "runs",
        "results",
        "saved_models",
        "tmp",
    }
)
_LOCAL_SUFFIXES = (
    ".bin",
    ".ckpt",
    ".csv",
    ".gguf",
    ".h5",
    ".json",
    ".jsonl",
    ".mar",
    ".model",
    ".npy",
    ".onnx",
    ".parquet",
    ".pkl",
    ".pt",
    ".pth",
    ".safetensors",
    ".tar",
    ".tsv",
    ".txt",
    ".zip",
)
_CHECKPOINT = re.compile(r"checkpoint-\d+|epoch[-_]?\d+|step[-_]?\d+")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
HUB_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/"
    r"(?:(?P<type>datasets|spaces)/)?"
    r"(?P<org>[A-Za-z0-9][A-Za-z0-9_.-]*)(?:/(?P<name>[A-Za-z0-9_.-]+))?"
    r"(?:/(?:resolve|blob|tree|raw)/(?P<rev>[^/\s\"'?#]+))?"
)
_DEFAULT_BRANCHES = frozenset({"main", "master"})

ValueClass = Literal["hub", "local", "other-url", "bare", "text", "empty"]


@dataclass(frozen=True)
class Classified:
    cls: ValueClass
    repo_id: str | None = None
    kind: RepoKind | None = None  # from a URL: models or datasets
    revision: str | None = None  # from a /resolve/<rev>/ URL (not main)


def hub_url(text: str) -> Classified | None:
    """The repo a huggingface.co / hf.co URL names, or None when the URL is a page (docs, blog, ...)."""
    match = HUB_URL.search(text)
    if match is None:
        return None
    org, name, typ = match.group("org"), match.group("name"), match.group("type")
    if typ == "spaces":
        return None
    if typ is None and org in _RESERVED:
        return None
    repo_id = f"{org}/{name}" if name else org
    if not name and typ is None:
        return None  # huggingface.co/org: a profile page
    if not valid_repo_id(repo_id):
        return None
    rev = match.group("rev")
    kind = RepoKind.DATASET if typ == "datasets" else RepoKind.MODEL
    return Classified("hub", repo_id, kind, None if rev in _DEFAULT_BRANCHES else rev)


def looks_local(value: str) -> bool:
    """A path on disk rather than a Hub id: absolute, ./ ../ ~, Windows, several segments, a file suffix,
    a checkpoint folder, or a first segment that is a project folder (outputs/, checkpoints/, ...)."""
    if value in (".", "..") or value.startswith(("/", "./", "../", "~")):
        return True
    if "\\" in value or _WINDOWS_DRIVE.match(value):
        return True
    parts = value.split("/")
    if len(parts) > 2:
        return True
    lower = value.lower()
    if lower.endswith(_LOCAL_SUFFIXES):
        return True
    if any(_CHECKPOINT.fullmatch(p) for p in parts):
        return True
    return len(parts) == 2 and parts[0].lower() in _LOCAL_FIRST


def classify(value: str) -> Classified:
    """What a string names. ``bare`` is a single word (no slash): whether it is a Hub id depends on the call."""
    value = value.strip()
    if not value:
        return Classified("empty")
    is_url = bool(_SCHEME.match(value)) or value.startswith(
        ("huggingface.co/", "hf.co/", "www.huggingface.co/")
    )
    if is_url:
        found = hub_url(value) if ("huggingface.co/" in value or "hf.co/" in value) else None
        return (
            found
            if found is not None and HUB_URL.match(value.split("://", 1)[-1])
            else Classified("other-url")
        )
    if any(c.isspace() for c in value) or len(value) > 200:
        return Classified("text")
    if looks_local(value):
        return Classified("local")
    repo_id, _, rev = value.partition("@")
    if "/" not in repo_id:
        return Classified("bare", repo_id) if valid_repo_id(repo_id) else Classified("text")
    if valid_repo_id(repo_id):
        return Classified("hub", repo_id, None, rev or None)
    return Classified("local")


def sentence_transformers_id(name: str) -> str:
    """The repo SentenceTransformer (and HuggingFaceEmbeddings) loads for a bare name: it prefixes
    ``sentence-transformers/`` unless the name is one of the basic transformer models."""
    return name if name in CANONICAL_MODELS else f"sentence-transformers/{name}"
