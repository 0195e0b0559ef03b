"""The schema of a ``license_db/<id>.yaml`` record, and the controlled vocabularies it uses.

Every record is validated by :class:`LicenseRecord` (``extra="forbid"``: a typo in a YAML key is an error,
not a silently ignored fact). The policy engine reads these typed fields; prose lives only in ``*_note``
fields and in ``sources``.

Vocabularies
------------
``RestrictedUse`` (the ``restricted_uses`` list) names what a license's acceptable-use / prohibited-use
policy (or its use-restriction attachment) forbids. A tag means "the policy restricts this use in some
form" (outright, or when unlicensed / harmful / undisclosed); read the policy before relying on the detail.
``restricted_uses: null`` means the policy text was not reviewed (e.g. it is only published on a web
page that is not in our corpus); ``[]`` means the license has no use-based restrictions.

=========================== ==================================================================================
tag                         meaning
=========================== ==================================================================================
illegal-activity            violating laws or others' rights, criminal activity
violence-terrorism          violence, terrorism, violent extremism, human trafficking
harm-to-minors              exploiting or harming minors, child sexual abuse material
military                    military, warfare, nuclear applications, espionage, ITAR-controlled activities
weapons                     guns, illegal weapons, weapon development
controlled-substances       illegal drugs and regulated or controlled substances
critical-infrastructure     operating critical infrastructure, transportation or heavy machinery
self-harm                   suicide, self-harm, eating disorders
harassment                  harassment, bullying, hate, abuse
defamation                  defamatory or disparaging content
discrimination              discrimination (protected characteristics, social scoring, employment, credit...)
exploiting-vulnerable-groups  exploiting vulnerabilities of groups (age, social, physical, mental traits)
automated-decisions         fully automated decisions that affect legal rights or material well-being
law-enforcement             administration of justice, law enforcement, immigration or asylum predictions
surveillance                tracking or monitoring people without consent
privacy-violation           generating or inferring personal / sensitive data without rights or consent
medical-advice              medical advice or the unlicensed practice of medicine / health professions
legal-advice                the unlicensed practice of law
financial-advice            the unlicensed practice of financial professions
disinformation              false information meant to harm or mislead, misinformation
fraud-spam                  fraud, scams, phishing, spam, fake engagement or reviews
impersonation               impersonating people without consent (incl. deepfakes)
undisclosed-ai-content      presenting machine-generated content as human-made / without disclosure
undisclosed-risks           failing to disclose known dangers of an AI system to end users
malware                     malicious code, malware, harming computer systems
ip-infringement             content that infringes third-party (e.g. copyright) rights
sexual-content              sexually explicit content, pornography, sexual chatbots
safety-circumvention        bypassing or overriding safety filters or guardrails
regulated-content           content inappropriate under applicable regulatory requirements
eu-multimodal               the grant for multimodal models is withheld from EU-domiciled individuals/companies
=========================== ==================================================================================

``ShareAlike`` (``obligations.share_alike``): ``none``; ``file`` (modified covered files, e.g. MPL-2.0);
``library`` (the library itself, e.g. LGPL); ``work`` (the whole derivative work, e.g. GPL, CC BY-SA);
``network`` (whole work, also when offered over a network, e.g. AGPL); ``database`` (derivative databases,
e.g. ODbL); ``license-terms`` (derivatives must stay under this same agreement, e.g. Stability's NC license).

``OutputRestriction`` (``obligations.output_use_restrictions``): ``no-improving-other-models`` (outputs
may not be used to improve / train models outside the licensor's family), ``research-only`` (outputs are
limited to research purposes), ``use-policy-applies`` (using outputs must respect the license's use
restrictions), ``training-triggers-obligations`` (training a distributed model on outputs triggers naming /
"built with" duties), ``notice-on-produced-works`` (publicly used produced works need a notice).
"""


from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modelaudit.models import CommercialUse, LicenseCategory, empty_list


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RestrictedUse(StrEnum):
    """Use categories restricted by a license's use policy (see the module docstring for meanings)."""

    ILLEGAL_ACTIVITY = "illegal-activity"
    VIOLENCE_TERRORISM = "violence-terrorism"
    HARM_TO_MINORS = "harm-to-minors"
    MILITARY = "military"
    WEAPONS = "weapons"
    CONTROLLED_SUBSTANCES = "controlled-substances"
    CRITICAL_INFRASTRUCTURE = "critical-infrastructure"
    SELF_HARM = "self-harm"
    HARASSMENT = "harassment"
    DEFAMATION = "defamation"
    DISCRIMINATION = "discrimination"
    EXPLOITING_VULNERABLE_GROUPS = "exploiting-vulnerable-groups"
    AUTOMATED_DECISIONS = "automated-decisions"
    LAW_ENFORCEMENT = "law-enforcement"
    SURVEILLANCE = "surveillance"
    PRIVACY_VIOLATION = "privacy-violation"
    MEDICAL_ADVICE = "medical-advice"
    LEGAL_ADVICE = "legal-advice"
    FINANCIAL_ADVICE = "financial-advice"
    DISINFORMATION = "disinformation"
    FRAUD_SPAM = "fraud-spam"
    IMPERSONATION = "impersonation"
    UNDISCLOSED_AI_CONTENT = "undisclosed-ai-content"
    UNDISCLOSED_RISKS = "undisclosed-risks"
    MALWARE = "malware"
    IP_INFRINGEMENT = "ip-infringement"
    SEXUAL_CONTENT = "sexual-content"
    SAFETY_CIRCUMVENTION = "safety-circumvention"
    REGULATED_CONTENT = "regulated-content"
    EU_MULTIMODAL = "eu-multimodal"


class ShareAlike(StrEnum):
    NONE = "none"
    FILE = "file"
    LIBRARY = "library"
    WORK = "work"
    NETWORK = "network"
    DATABASE = "database"
    LICENSE_TERMS = "license-terms"


class OutputRestriction(StrEnum):
    NO_IMPROVING_OTHER_MODELS = "no-improving-other-models"
    RESEARCH_ONLY = "research-only"
    USE_POLICY_APPLIES = "use-policy-applies"
    TRAINING_TRIGGERS_OBLIGATIONS = "training-triggers-obligations"
    NOTICE_ON_PRODUCED_WORKS = "notice-on-produced-works"


class DocumentKind(StrEnum):
    """What a recognised text is: the license itself or its acceptable-use / prohibited-use policy."""

    LICENSE = "license"
    USE_POLICY = "use-policy"


class Obligations(_Strict):
    """What a licensee must do (or must not do) when using or redistributing the licensed material."""

    include_agreement: bool = False  # give recipients a copy of the license / agreement
    notice_text: str | None = None  # a fixed line to put in a "Notice" file, verbatim from the license
    attribution: bool = False  # keep copyright / attribution notices, credit the licensor
    mark_modifications: bool = False  # modified files / material must say they were changed
    source_disclosure: bool = False  # offer corresponding source (GPL family)
    naming_prefix: str | None = None  # names of distributed derivatives must begin with this
    built_with: str | None = None  # text to display prominently, e.g. "Built with Llama"
    built_with_alternatives: list[str] = Field(default_factory=list)  # other wordings the license accepts
    copyright_notice: bool = False  # copies keep a filled-in copyright notice (MIT, BSD, ISC)
    propagate_notice: bool = False  # derivatives carry the attribution lines of the upstream's NOTICE file
    license_reference: bool = False  # recipients get the text or a link to it (Creative Commons)
    credit_upstream: bool = False  # works built on the material credit it and name its license (CC BY, ODC-By)
    share_alike: ShareAlike = ShareAlike.NONE
    flow_down_use_restrictions: bool = (
        False  # use restrictions must be passed to every recipient / derivative
    )
    use_policy_url: str | None = None  # where the incorporated use policy is published
    output_use_restrictions: list[OutputRestriction] = Field(default_factory=empty_list)
    output_use_note: str | None = None
    derivatives_include_outputs: bool = False  # distillation / synthetic-data training counts as a derivative
    user_cap: int | None = None  # monthly active users above which a separate license is needed
    revenue_cap_usd: int | None = None  # annual revenue (USD) above which the license stops applying
    research_only: bool = False  # research / evaluation use only
    no_derivatives: bool = False  # adapted / modified material may not be shared
    no_redistribution: bool = False  # no general right to redistribute
    hosting_restricted: bool = False  # offering the model as a hosted service / API needs separate permission
    note: str | None = None  # anything the typed fields above cannot say

    def any(self) -> bool:
        """True when at least one duty or restriction is set."""
        return self != Obligations()


class ReferenceText(_Strict):
    """A corpus text the recognition data was derived from (by ``scripts/build_license_recognition.py``)."""

    file: str  # file name inside the license corpus (tests/data/licenses/corpus)
    document: DocumentKind = DocumentKind.LICENSE


class Recognition(_Strict):
    """How to recognise the license's text: title lines and distinctive phrases (matched after normalising)."""

    titles: list[str] = Field(default_factory=empty_list)
    phrases: list[str] = Field(default_factory=empty_list)
    texts: list[ReferenceText] = Field(default_factory=empty_list)


class LicenseRecord(_Strict):
    """Facts about one license. ``sources`` maps a field name (or ``obligations.<field>``) to its source."""

    id: str
    name: str | None = None  # filled from the SPDX list when omitted for an SPDX license
    spdx_id: str | None = None
    hub_id: str | None = None  # the Hugging Face Hub ``license:`` id
    license_names: list[str] = Field(default_factory=empty_list)  # ``license_name`` values seen with ``other``
    aliases: list[str] = Field(default_factory=empty_list)  # other spellings and deprecated ids
    urls: list[str] = Field(default_factory=empty_list)  # where the text is published (matched for license_link)
    family: bool = False  # a family tag (e.g. Hub ``bsd``) rather than one exact license
    category: LicenseCategory
    osi_approved: bool | None = None  # filled from the SPDX list when omitted
    fsf_libre: bool | None = None  # filled from the SPDX list when omitted
    commercial_use: CommercialUse
    commercial_condition: str | None = None
    obligations: Obligations = Field(default_factory=Obligations)
    restricted_uses: list[RestrictedUse] | None = Field(default_factory=empty_list)
    restricted_uses_note: str | None = None
    recognition: Recognition = Field(default_factory=Recognition)
    licensor_orgs: list[str] = Field(default_factory=list)  # Hub namespaces of the licensor's own releases
    text_file: str | None = None  # license_db/texts file ``modelaudit fix`` writes, when recognition.texts has none
    sources: dict[str, str] = Field(default_factory=dict)
    notes: str | None = None
    origin: Literal["license_db", "spdx"] = "license_db"  # "spdx": synthesised from the SPDX list at load

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not v or v != v.strip() or " " in v:
            raise ValueError(f"bad license id {v!r}")
        return v

    @field_validator("sources")
    @classmethod
    def _source_keys(cls, v: dict[str, str]) -> dict[str, str]:
        top = set(cls.model_fields)
        obl = set(Obligations.model_fields)
        for key in v:
            head, _, tail = key.partition(".")
            if head not in top or (tail and (head != "obligations" or tail not in obl)):
                raise ValueError(f"sources: {key!r} is not a field of the record")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.commercial_use is CommercialUse.CONDITIONAL and not self.commercial_condition:
            raise ValueError(f"{self.id}: commercial_use conditional needs commercial_condition")
        ob = self.obligations
        if ob.use_policy_url and not ob.flow_down_use_restrictions and not ob.note:
            # a published use policy that does not flow down is still worth recording, but say why
            raise ValueError(f"{self.id}: use_policy_url without flow_down_use_restrictions needs a note")
        return self

    @property
    def display_name(self) -> str:
        return self.name or self.id

    def all_ids(self) -> list[str]:
        """Every exact identifier this record answers to (id, SPDX id, Hub id, aliases)."""
        out = [self.id]
        for extra in (self.spdx_id, self.hub_id, *self.aliases):
            if extra and extra not in out:
                out.append(extra)
        return out


__all__ = [
    "DocumentKind",
    "LicenseRecord",
    "Obligations",
    "OutputRestriction",
    "Recognition",
    "ReferenceText",
    "RestrictedUse",
    "ShareAlike",
]
