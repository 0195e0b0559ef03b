"""ScanReport.sorted: every list in canonical order, whatever order it came in; sorting twice changes nothing."""

from __future__ import annotations

import random

import pytest
from sample_report import big_report, sample_report

from modelaudit.models import Evidence, ScanReport


@pytest.mark.parametrize("make", [sample_report, lambda: big_report(40)])
def test_sorting_a_sorted_report_changes_nothing(make: object) -> None:
    report = make()  # type: ignore[operator]
    once = report.sorted()
    twice = once.sorted()
    assert twice is not once and twice.model_dump() == once.model_dump()
    assert once.model_dump() == make().sorted().model_dump()  # the same order from the same report


def shuffled(report: ScanReport, seed: int) -> ScanReport:
    rng = random.Random(seed)
    nodes = []
    for n in report.nodes:
        files = rng.sample(n.files, len(n.files))
        lic = n.license
        if lic is not None:
            lic = lic.model_copy(update={"evidence": rng.sample(lic.evidence, len(lic.evidence))})
        nodes.append(n.model_copy(update={"files": files, "license": lic}))
    edges = [e.model_copy(update={"evidence": rng.sample(e.evidence, len(e.evidence))}) for e in report.edges]
    obligations = [
        o.model_copy(update={"nodes": rng.sample(o.nodes * 2, 2 * len(o.nodes))}) for o in report.obligations
    ]
    return report.model_copy(
        update={
            "nodes": rng.sample(nodes, len(nodes)),
            "edges": rng.sample(edges, len(edges)),
            "findings": rng.sample(report.findings, len(report.findings)),
            "obligations": rng.sample(obligations, len(obligations)),
        }
    )


@pytest.mark.parametrize("seed", range(8))
def test_any_shuffle_sorts_to_the_same_report(seed: int) -> None:
    report = sample_report()
    want = report.sorted().model_dump()
    assert shuffled(report, seed).sorted().model_dump() == want


def test_one_nested_list_out_of_order_is_enough_to_sort() -> None:
    report = sample_report().sorted()
    edge = next(e for e in report.edges if e.evidence)
    late = Evidence(source="aaa:first", value="x")
    bad = edge.model_copy(update={"evidence": [*edge.evidence, late]})
    r = report.model_copy(update={"edges": [bad if e is edge else e for e in report.edges]})
    assert r.sorted().model_dump() != r.model_dump()
    fixed = next(e for e in r.sorted().edges if e.child == edge.child and e.parent == edge.parent)
    assert fixed.evidence[0] == late
    ob = report.obligations[0]
    dup = ob.model_copy(update={"nodes": [*ob.nodes, ob.nodes[0]]})
    r = report.model_copy(update={"obligations": [dup, *report.obligations[1:]]})
    assert r.sorted().model_dump() != r.model_dump()
    assert r.sorted().obligations[0].nodes == sorted(set(ob.nodes))
