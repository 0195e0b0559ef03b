"""Discussions and pull requests for the fake Hub: what ``HfApi``'s community methods read and write.

A pull request is a discussion with ``isPullRequest`` and a git ref ``refs/pr/<num>`` on the repo (added
with :meth:`FakeHub.add_pull_request`). Comments are events; only their author may edit them. JSON shapes
follow what ``huggingface_hub`` parses (``get_repo_discussions``, ``get_discussion_details``,
``comment_discussion`` → ``newMessage``, ``edit_discussion_comment`` → ``updatedComment``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .repos import FIXED_DATE

PAGE_SIZE = 50


@dataclass
class FakeComment:
    id: str
    author: str
    content: str
    edits: int = 0

    def event(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "comment",
            "createdAt": FIXED_DATE,
            "author": {"name": self.author, "type": "user"},
            "data": {"edited": self.edits > 0, "hidden": False, "latest": {"raw": self.content}},
        }


@dataclass
class FakeDiscussion:
    repo_id: str
    kind: str
    num: int
    title: str
    author: str
    is_pull_request: bool
    status: str = "open"  # open | closed | merged | draft
    base: str = "refs/heads/main"
    comments: list[FakeComment] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"refs/pr/{self.num}"

    def summary(self) -> dict[str, Any]:
        return {
            "num": self.num,
            "title": self.title,
            "author": {"name": self.author, "type": "user"},
            "createdAt": FIXED_DATE,
            "status": self.status,
            "repo": {"name": self.repo_id, "type": self.kind},
            "isPullRequest": self.is_pull_request,
            "numComments": len(self.comments),
            "pinned": False,
        }

    def details(self) -> dict[str, Any]:
        out = self.summary()
        out["events"] = [c.event() for c in self.comments]
        if self.is_pull_request:
            out["changes"] = {"base": self.base}
            out["filesWithConflicts"] = []
            out["diff"] = ""
        return out

    def add_comment(self, author: str, content: str) -> FakeComment:
        digest = hashlib.sha1(f"{self.repo_id}#{self.num}#{len(self.comments)}".encode()).hexdigest()
        comment = FakeComment(id=digest[:24], author=author, content=content)
        self.comments.append(comment)
        return comment

    def comment(self, comment_id: str) -> FakeComment | None:
        return next((c for c in self.comments if c.id == comment_id.lower()), None)


def page(discussions: list[FakeDiscussion], query: dict[str, list[str]]) -> dict[str, Any]:
    """``GET /api/{kind}s/{id}/discussions``: filtered by ``type``/``status``/``author``, ``p`` pages."""
    kind = query.get("type", ["all"])[0]
    status = query.get("status", ["all"])[0]
    author = query.get("author", [None])[0]
    picked = [
        d
        for d in sorted(discussions, key=lambda d: -d.num)
        if (kind == "all" or (kind == "pull_request") == d.is_pull_request)
        and (status == "all" or d.status == status)
        and (author is None or d.author == author)
    ]
    index = int(query.get("p", ["0"])[0] or 0)
    start = index * PAGE_SIZE
    return {
        "discussions": [d.summary() for d in picked[start : start + PAGE_SIZE]],
        "count": len(picked),
        "start": start,
        "numClosedDiscussions": sum(1 for d in picked if d.status != "open"),
    }
