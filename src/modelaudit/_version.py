"""modelaudit's version, on the ground floor: every floor may read it without importing the root package
(whose ``__init__`` reaches the pipeline). Keep it equal to ``version`` in pyproject.toml."""

__version__ = "0.1.0"
