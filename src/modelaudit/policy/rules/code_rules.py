"""Rules about code a model asks its users to run (judged from metadata, without loading anything)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelaudit.lineage.graph import GraphNode
from modelaudit.models import Evidence, Finding, NodeKind
from modelaudit.policy.rules.base import CatalogRule, RuleContext, make_finding
from modelaudit.smoke.plan import remote_code_sources

# transformers' conventions for repository code: modeling_x.py, configuration_x.py, tokenization_x.py, ...
_CODE_FILE = re.compile(
    r"^(modeling|configuration|tokenization|processing|image_processing|feature_extraction)_.*\.py$"
)


class RemoteCodeRequired(CatalogRule, rule_id="MA401"):
    """Same id and slug as the smoke stage's refusal: one finding, whether or not ``--smoke`` ran."""

    def check(self, node: GraphNode, ctx: RuleContext) -> Iterator[Finding]:
        record = node.record
        if record is None or node.kind is NodeKind.DATASET or node.key != ctx.graph.root:
            return  # only the model being adopted is loaded; ancestors are judged by their licenses
        evidence = [
            Evidence(source=where, value="present")
            for where in remote_code_sources(record.config, adapter_config=record.adapter_config)
        ]
        evidence += [
            Evidence(source=f"file:{f.path}", value="repository code")
            for f in record.files
            if _CODE_FILE.match(f.path)
        ]
        if not evidence:
            return
        yield make_finding(
            self,
            node.key,
            f"{node.key} needs its repository's own Python code to load ({', '.join(e.source for e in evidence[:4])}); "
            "modelaudit never runs it, and neither should an unreviewed deployment",
            evidence,
        )
