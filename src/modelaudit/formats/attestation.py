"""``modelaudit verify-attestation``'s answer: one line, or the check as JSON.

The check (:class:`modelaudit.documents.AttestationCheck`) is computed by :func:`modelaudit.attest.verify_attestation`;
this module only renders it.
"""

from __future__ import annotations

import json
from typing import ClassVar

from modelaudit.documents import AttestationCheck


def _line(text: str) -> str:
    """One line: what an attestation says is untrusted text, so no line breaks or control characters."""
    return "".join(c if c.isprintable() else "?" for c in text.replace("\n", " "))


class AttestationText:
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"

    def render(self, check: AttestationCheck) -> str:
        return _line(check.reason) + "\n"


class AttestationJson:
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, check: AttestationCheck) -> str:
        return json.dumps(check.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
