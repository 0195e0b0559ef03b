"""One rich ScanReport that every format renders (golden files), plus a generator for big lineages.

The sample has a three-level lineage (quantized → finetune → base, plus two datasets), a license conflict,
a waived non-commercial finding, a hash mismatch, a model signature that the weights fail (and an ancestor's unchecked one), smoke results, a dataset node and an unresolved node.
Card-derived text carries hostile HTML (``<script>``, ``<img onerror>``) that every format must keep inert.
"""

from __future__ import annotations

from modelaudit.models import (
    CardChange,
    CommercialUse,
    Edge,
    Evidence,
    FileResult,
    FileStatus,
    Finding,
    FingerprintSummary,
    LicenseCategory,
    LicenseInfo,
    Node,
    NodeKind,
    Obligation,
    ObligationCheck,
    ObligationStatus,
    PolicyInfo,
    Relation,
    RemediationFile,
    RemediationPlan,
    ScanReport,
    Severity,
    SignatureInfo,
    SignatureStatus,
    SignedFile,
    SignedFileStatus,
    SmokeResult,
    SourceKind,
    TargetInfo,
    ToolInfo,
    Verdict,
    Waiver,
)

SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"

TARGET = "acme/chat-assistant-7b-q4"
FINETUNE = "acme/chat-assistant-7b"
BASE = "meta-llama/Llama-2-7b-hf"
DATASET = "datasets/acme/support-tickets"
UNRESOLVED = "datasets/unknown-org/private-chats"

REV_TARGET = "a" * 40
REV_FINETUNE = "b" * 40
REV_BASE = "01c7f73d771dfac7d292323805ebc428287df4f9"
REV_DATASET = "c" * 40

SHA_GOOD = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SHA_BAD = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
SHA_OTHER = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"

LLAMA2_LICENSE = LicenseInfo(
    id="llama2",
    name="Llama 2 Community License Agreement",
    category=LicenseCategory.RESTRICTIVE,
    osi_approved=False,
    commercial_use=CommercialUse.CONDITIONAL,
    confidence=1.0,
    evidence=[
        Evidence(source="card:license", value="llama2"),
        Evidence(source="file:LICENSE.txt", value="LLAMA 2 COMMUNITY LICENSE AGREEMENT"),
    ],
)


def sample_report() -> ScanReport:
    nodes = [
        Node(
            id=TARGET,
            kind=NodeKind.MODEL,
            revision=REV_TARGET,
            source=SourceKind.HUB,
            depth=0,
            license=LicenseInfo(
                id="apache-2.0",
                name="Apache License 2.0",
                category=LicenseCategory.PERMISSIVE,
                osi_approved=True,
                commercial_use=CommercialUse.YES,
                confidence=1.0,
                evidence=[
                    Evidence(source="card:license", value="apache-2.0"),
                    Evidence(source="card:license_name", value=f"Apache 2.0 {SCRIPT}"),
                ],
            ),
            files=[
                FileResult(
                    path="chat-assistant-7b.Q4_K_M.gguf",
                    size=4_081_004_224,
                    sha256_expected=SHA_GOOD,
                    sha256_actual=SHA_BAD,
                    status=FileStatus.MISMATCH,
                    detail="content differs from the Hub's LFS record",
                ),
                FileResult(
                    path="README.md",
                    size=5_216,
                    sha256_expected=SHA_OTHER,
                    sha256_actual=SHA_OTHER,
                    status=FileStatus.VERIFIED,
                ),
            ],
            # signed by a certificate whose subject carries hostile HTML: signers are untrusted text too
            signature=SignatureInfo(
                status=SignatureStatus.INVALID,
                path="model.sig",
                method="certificate",
                signer=f"CN=Acme Release {SCRIPT},O=Acme",
                issuer="CN=Acme Code Signing CA,O=Acme",
                serialization="files/sha256",
                files=[
                    SignedFile(
                        path="README.md",
                        status=SignedFileStatus.MATCHES,
                        sha256_signed=SHA_OTHER,
                        sha256_actual=SHA_OTHER,
                    ),
                    SignedFile(
                        path="chat-assistant-7b.Q4_K_M.gguf",
                        status=SignedFileStatus.DIFFERS,
                        sha256_signed=SHA_GOOD,
                        sha256_actual=SHA_BAD,
                    ),
                ],
            ),
            smoke=SmokeResult(
                status="passed",
                task="text-generation",
                device="cpu",
                device_name="AMD EPYC (2 cores)",
                dtype="float32",
                load_seconds=2.5,
                first_token_seconds=0.42,
                tokens_per_second=11.3,
                peak_rss_bytes=5_368_709_120,
                outputs_finite=True,
                deterministic=True,
                sample=f"Hello! {IMG} How can I help?",
            ),
        ),
        Node(
            id=FINETUNE,
            kind=NodeKind.MODEL,
            revision=REV_FINETUNE,
            source=SourceKind.HUB,
            depth=1,
            license=LLAMA2_LICENSE,
            files=[
                FileResult(
                    path="model-00001-of-00002.safetensors",
                    size=9_976_576_152,
                    sha256_expected=SHA_OTHER,
                    sha256_actual=SHA_OTHER,
                    status=FileStatus.VERIFIED,
                ),
                FileResult(
                    path="model-00002-of-00002.safetensors",
                    size=3_500_296_424,
                    sha256_expected=SHA_GOOD,
                    status=FileStatus.NOT_CHECKED,
                ),
            ],
            fingerprint=FingerprintSummary(algorithm="sampled-sha256-v1", tensors=291, digest=SHA_OTHER),
            signature=SignatureInfo(
                status=SignatureStatus.UNVERIFIED,
                path="model.sig",
                detail=f"ships model.sig; scan {FINETUNE} itself to verify it",
            ),
        ),
        Node(
            id=BASE,
            kind=NodeKind.MODEL,
            revision=REV_BASE,
            source=SourceKind.HUB,
            gated=True,
            depth=2,
            license=LLAMA2_LICENSE,
        ),
        Node(
            id=DATASET,
            kind=NodeKind.DATASET,
            revision=REV_DATASET,
            source=SourceKind.HUB,
            depth=2,
            license=LicenseInfo(
                id="cc-by-nc-4.0",
                name="Creative Commons Attribution Non Commercial 4.0 International",
                category=LicenseCategory.RESTRICTIVE,
                osi_approved=False,
                commercial_use=CommercialUse.NO,
                confidence=1.0,
                evidence=[Evidence(source="card:license", value="cc-by-nc-4.0")],
            ),
        ),
        Node(
            id=UNRESOLVED,
            kind=NodeKind.DATASET,
            resolved=False,
            unresolved_reason="gated or private, access denied (401)",
            depth=2,
        ),
    ]
    edges = [
        Edge(
            child=TARGET,
            parent=FINETUNE,
            relation=Relation.QUANTIZED,
            evidence=[
                Evidence(source="card:base_model", value=FINETUNE),
                Evidence(
                    source="gguf:chat-assistant-7b.Q4_K_M.gguf:general.base_model.0.repo_url", value=FINETUNE
                ),
            ],
        ),
        Edge(
            child=FINETUNE,
            parent=BASE,
            relation=Relation.FINETUNE,
            evidence=[Evidence(source="card:base_model", value=BASE)],
        ),
        Edge(
            child=FINETUNE,
            parent=DATASET,
            relation=Relation.TRAINED_ON,
            evidence=[Evidence(source="card:datasets", value="acme/support-tickets")],
        ),
        Edge(
            child=FINETUNE,
            parent=UNRESOLVED,
            relation=Relation.TRAINED_ON,
            evidence=[Evidence(source="card:datasets", value="unknown-org/private-chats")],
        ),
    ]
    waiver = Waiver(
        rule="noncommercial-upstream",
        node=DATASET,
        reason="Support tickets are our own data; CC BY-NC on the public copy does not bind us (ticket LEGAL-123).",
        expires="2027-06-30",
        approver="j.doe@acme.example (Legal)",
    )
    findings = [
        Finding(
            rule="MA201",
            name="license-conflict",
            severity=Severity.ERROR,
            node=TARGET,
            message=(
                f"{TARGET} declares apache-2.0, but its upstream {BASE} is under llama2, "
                "which requires the agreement to accompany every copy"
            ),
            how_to_fix="Declare license: llama2 on the card and ship the Llama 2 agreement with the weights.",
            evidence=[
                Evidence(source="card:license", value="apache-2.0"),
                Evidence(source=f"upstream:{BASE}", value="llama2"),
            ],
        ),
        Finding(
            rule="MA301",
            name="hash-mismatch",
            severity=Severity.ERROR,
            node=TARGET,
            message="chat-assistant-7b.Q4_K_M.gguf: SHA-256 differs from the Hub's record",
            how_to_fix="Delete the local copy and download it again; if it persists, report it to the publisher.",
            evidence=[
                Evidence(source="hub:lfs.sha256", value=SHA_GOOD),
                Evidence(source="local:sha256", value=SHA_BAD),
            ],
        ),
        Finding(
            rule="MA307",
            name="signature-invalid",
            severity=Severity.ERROR,
            node=TARGET,
            message="chat-assistant-7b.Q4_K_M.gguf: content differs from what model.sig signed",
            how_to_fix="Do not use the files: obtain the model again from its publisher.",
            evidence=[
                Evidence(source="file:chat-assistant-7b.Q4_K_M.gguf", value="differs"),
                Evidence(source="signature:model.sig", value="certificate"),
            ],
        ),
        Finding(
            rule="MA202",
            name="use-restrictions-dropped",
            severity=Severity.WARNING,
            node=TARGET,
            message="The card does not pass on the Llama 2 Acceptable Use Policy",
            how_to_fix="Link the Acceptable Use Policy from the card and include it with the weights.",
            evidence=[Evidence(source="card:extra_gated_prompt", value=f"Accept our terms {IMG}")],
        ),
        Finding(
            rule="MA101",
            name="lineage-unresolved",
            severity=Severity.WARNING,
            node=UNRESOLVED,
            message=f"{UNRESOLVED} could not be read: gated or private, access denied (401)",
            how_to_fix="Set HF_TOKEN for an account with access, or ask the publisher which license applies.",
            evidence=[Evidence(source="card:datasets", value="unknown-org/private-chats")],
        ),
        Finding(
            rule="MA205",
            name="noncommercial-upstream",
            severity=Severity.WARNING,
            node=DATASET,
            message=f"{DATASET} is licensed cc-by-nc-4.0 (non-commercial) and was used to train {FINETUNE}",
            how_to_fix="Replace the dataset, obtain a commercial license, or record a waiver approved by Legal.",
            evidence=[Evidence(source="card:license", value="cc-by-nc-4.0")],
            waived=True,
            waiver=waiver,
        ),
        Finding(
            rule="MA203",
            name="license-mismatch",
            severity=Severity.NOTE,
            node=TARGET,
            message=f"card:license_name reads 'Apache 2.0 {SCRIPT}' while card:license is apache-2.0",
            how_to_fix="Make license and license_name agree on the card.",
            evidence=[Evidence(source="card:license_name", value=f"Apache 2.0 {SCRIPT}")],
        ),
    ]
    findings.append(
        Finding(
            rule="MA240",
            name="obligation-unmet",
            severity=Severity.WARNING,
            node=TARGET,
            message=f"{TARGET} does not meet the llama2 obligation “Ship a Notice file”: there is no NOTICE file.",
            how_to_fix="Add a NOTICE file with the license's Notice line, word for word.",
            evidence=[
                Evidence(source="obligation:file", value="NOTICE"),
                Evidence(source="obligation", value="llama2 notice-file"),
            ],
        )
    )
    licensor = Evidence(source="licensor", value=f"{BASE} is a release of llama2's own licensor")

    def checks(
        target: ObligationStatus,
        finetune: ObligationStatus,
        base: ObligationStatus | None,
        t_ev: str,
        f_ev: str,
    ) -> list[ObligationCheck]:
        out = [
            ObligationCheck(
                node=TARGET,
                status=target,
                evidence=[Evidence(source="looked-for", value=t_ev)],
                via=FINETUNE,
                file="LICENSE",
            ),
            ObligationCheck(
                node=FINETUNE,
                status=finetune,
                evidence=[Evidence(source="file:LICENSE.txt", value=f_ev)],
                via=BASE,
                file="LICENSE.txt",
            ),
        ]
        if base is not None:
            out.append(ObligationCheck(node=BASE, status=base, evidence=[licensor]))
        return out

    U, M, K, NA = (
        ObligationStatus.UNMET,
        ObligationStatus.MET,
        ObligationStatus.UNKNOWN,
        ObligationStatus.NOT_APPLICABLE,
    )
    llama_nodes = [TARGET, FINETUNE, BASE]
    obligations = [
        Obligation(
            license="llama2",
            kind="include-agreement",
            text="Give every recipient a copy of the license agreement (a LICENSE file with its text).",
            nodes=llama_nodes,
            status=U,
            evidence=[Evidence(source=TARGET, value="a LICENSE file with the text of llama2: there is none")],
            checks=checks(
                U, M, NA, "a LICENSE file with the text of llama2: there is none", "the text of llama2 (1.00)"
            ),
        ),
        Obligation(
            license="llama2",
            kind="notice-file",
            text=(
                'Ship a "Notice" file with: "Llama 2 is licensed under the LLAMA 2 Community License, '
                'Copyright (c) Meta Platforms, Inc. All Rights Reserved."'
            ),
            nodes=llama_nodes,
            status=U,
            evidence=[Evidence(source=TARGET, value="there is no NOTICE file")],
            checks=checks(
                U,
                K,
                NA,
                "a NOTICE file with the Notice line: there is no NOTICE file",
                f"gated: not readable without approved access {SCRIPT}",
            ),
        ),
        Obligation(
            license="llama2",
            kind="flow-down-use-policy",
            text="The use restrictions must be passed on in the license the model is distributed under.",
            nodes=llama_nodes,
            status=U,
            evidence=[
                Evidence(source=TARGET, value="apache-2.0 does not carry the use restrictions of llama2")
            ],
            checks=checks(
                U,
                M,
                NA,
                "apache-2.0 does not carry the use restrictions of llama2",
                "its own license llama2 carries them",
            ),
        ),
        Obligation(
            license="llama2",
            kind="user-cap",
            text="Above 700,000,000 monthly active users a separate license is needed.",
            nodes=llama_nodes,
            status=NA,
            checks=[
                ObligationCheck(
                    node=n, status=NA, evidence=[Evidence(source="obligation", value="a term of use")]
                )
                for n in llama_nodes
            ],
        ),
        Obligation(
            license="cc-by-nc-4.0",
            kind="credit",
            text="Credit the upstream work in the model card and name its license.",
            nodes=[FINETUNE],
            status=M,
            evidence=[Evidence(source=FINETUNE, value=f"credits {DATASET} and names cc-by-nc-4.0")],
            checks=[
                ObligationCheck(
                    node=FINETUNE,
                    status=M,
                    evidence=[
                        Evidence(source="file:README.md", value=f"credits {DATASET} and names cc-by-nc-4.0")
                    ],
                    via=DATASET,
                    file="README.md",
                )
            ],
        ),
    ]
    remediation = [
        RemediationPlan(
            node=TARGET,
            licenses=["llama2", "llama2 AND <your own terms>"],
            license_note="The lineage requires llama2: llama2 must travel with every derivative.",
            files=[
                RemediationFile(
                    path="LICENSE",
                    action="create",
                    content="license-text:llama2",
                    reason="recipients must get a copy of the Llama 2 Community License Agreement",
                    addresses=["llama2:include-agreement"],
                ),
                RemediationFile(
                    path="NOTICE",
                    action="create",
                    content="notice",
                    lines=[
                        "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) "
                        "Meta Platforms, Inc. All Rights Reserved."
                    ],
                    reason="the Notice lines the licenses require",
                    addresses=["llama2:notice-file"],
                ),
            ],
            card=[
                CardChange(
                    field="license",
                    value="llama2",
                    reason="declare llama2, which the lineage requires",
                    addresses=["llama2:flow-down-use-policy"],
                )
            ],
            manual=[f"Check the card of {FINETUNE} by hand {IMG}"],
        )
    ]
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-11-28T12:00:00Z",
        target=TargetInfo(id=TARGET, revision=REV_TARGET, source=SourceKind.HUB),
        policy=PolicyInfo(name="commercial", fail_on=Severity.ERROR),
        verdict=Verdict.FAIL,
        nodes=nodes,
        edges=edges,
        findings=findings,
        obligations=obligations,
        remediation=remediation,
    )


_LICENSES = [
    LicenseInfo(
        id="apache-2.0",
        category=LicenseCategory.PERMISSIVE,
        osi_approved=True,
        commercial_use=CommercialUse.YES,
    ),
    LicenseInfo(
        id="mit", category=LicenseCategory.PERMISSIVE, osi_approved=True, commercial_use=CommercialUse.YES
    ),
    LicenseInfo(
        id="llama3.1",
        category=LicenseCategory.RESTRICTIVE,
        osi_approved=False,
        commercial_use=CommercialUse.CONDITIONAL,
    ),
    LicenseInfo(
        id="cc-by-nc-4.0",
        category=LicenseCategory.RESTRICTIVE,
        osi_approved=False,
        commercial_use=CommercialUse.NO,
    ),
    LicenseInfo(
        id="gpl-3.0", category=LicenseCategory.COPYLEFT, osi_approved=True, commercial_use=CommercialUse.YES
    ),
]


def big_report(n_nodes: int = 50) -> ScanReport:
    """A deterministic lineage of ``n_nodes`` nodes: a merge of several fine-tunes of a few bases,
    each trained on datasets, with some unresolved nodes (for size and layout checks)."""
    if n_nodes < 4:
        raise ValueError("need at least 4 nodes")
    target = "acme/mega-merge-70b"
    nodes: list[Node] = [
        Node(
            id=target,
            kind=NodeKind.MODEL,
            revision="0" * 40,
            source=SourceKind.HUB,
            depth=0,
            license=_LICENSES[0],
        )
    ]
    edges: list[Edge] = []
    bases = [f"base-org/foundation-{i}" for i in range(3)]
    n_finetunes = max(1, (n_nodes - 1 - len(bases)) // 3)
    finetunes = [f"tuner-{i:02d}/instruct-variant-{i:02d}" for i in range(n_finetunes)]
    n_datasets = n_nodes - 1 - len(bases) - len(finetunes)
    datasets = [f"datasets/data-org-{i:02d}/corpus-{i:02d}" for i in range(n_datasets)]
    for i, ft in enumerate(finetunes):
        nodes.append(
            Node(
                id=ft,
                kind=NodeKind.ADAPTER if i % 5 == 4 else NodeKind.MODEL,
                revision=f"{i:040x}",
                source=SourceKind.HUB,
                depth=1,
                license=_LICENSES[i % len(_LICENSES)],
            )
        )
        edges.append(Edge(child=target, parent=ft, relation=Relation.MERGE))
        edges.append(
            Edge(
                child=ft,
                parent=bases[i % len(bases)],
                relation=Relation.ADAPTER if i % 5 == 4 else Relation.FINETUNE,
            )
        )
    for i, b in enumerate(bases):
        nodes.append(
            Node(
                id=b,
                kind=NodeKind.MODEL,
                revision=f"{i + 100:040x}",
                source=SourceKind.HUB,
                depth=2,
                license=_LICENSES[2],
            )
        )
    for i, d in enumerate(datasets):
        unresolved = i % 7 == 6
        nodes.append(
            Node(
                id=d,
                kind=NodeKind.DATASET,
                depth=2,
                resolved=not unresolved,
                unresolved_reason="not found (404)" if unresolved else None,
                revision=None if unresolved else f"{i + 200:040x}",
                source=None if unresolved else SourceKind.HUB,
                license=None if unresolved else _LICENSES[(i + 3) % len(_LICENSES)],
            )
        )
        edges.append(Edge(child=finetunes[i % len(finetunes)], parent=d, relation=Relation.TRAINED_ON))
    return ScanReport(
        tool=ToolInfo(version="0.1.0"),
        generated_at="2026-11-28T12:00:00Z",
        target=TargetInfo(id=target, revision="0" * 40, source=SourceKind.HUB),
        policy=PolicyInfo(name="default"),
        verdict=Verdict.PASS,
        nodes=nodes,
        edges=edges,
    )
