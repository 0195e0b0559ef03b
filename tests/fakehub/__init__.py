"""A fake Hugging Face Hub for tests: a real HTTP server on 127.0.0.1 that ``huggingface_hub`` accepts.

Use the ``fakehub`` pytest fixture (tests/conftest.py); it also points ``HF_ENDPOINT`` / ``HF_HUB_CACHE``
at the fake and a temporary cache, and blocks any connection that is not to the loopback interface.
"""

from .repos import FakeFile, FakeRepo, git_blob_sha1, lfs_pointer
from .server import FakeHub, Fault, LoggedRequest

__all__ = ["FakeFile", "FakeHub", "FakeRepo", "Fault", "LoggedRequest", "git_blob_sha1", "lfs_pointer"]
