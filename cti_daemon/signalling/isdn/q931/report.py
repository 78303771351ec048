"""What the decoder found wrong with a message, for call control to apply Q.931 5.8."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import FindingKind


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    detail: str
    identifier: int | None = None  # the IE concerned (codeset below)
    codeset: int = 0
    offset: int | None = None  # octet offset in the message where it was found
    comprehension_required: bool = False  # UNRECOGNISED_IE only (Q.931 4.5.1, 5.8.7.1)

    @property
    def clause(self) -> str:
        return self.kind.clause


@dataclass
class DecodeReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def of_kind(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]

    def identifiers(self, kind: FindingKind) -> list[int]:
        """IE identifiers of the findings of one kind, e.g. for cause 96/99/100 diagnostics."""
        return [f.identifier for f in self.findings if f.kind is kind and f.identifier is not None]

    @property
    def unknown_message_type(self) -> bool:
        return bool(self.of_kind(FindingKind.UNKNOWN_MESSAGE_TYPE))

    @property
    def missing_mandatory(self) -> list[int]:
        return self.identifiers(FindingKind.MANDATORY_IE_MISSING)

    @property
    def mandatory_content_errors(self) -> list[int]:
        return self.identifiers(FindingKind.MANDATORY_IE_CONTENT_ERROR)

    @property
    def optional_content_errors(self) -> list[int]:
        return self.identifiers(FindingKind.OPTIONAL_IE_CONTENT_ERROR)

    @property
    def unrecognised(self) -> list[int]:
        return self.identifiers(FindingKind.UNRECOGNISED_IE)

    @property
    def unrecognised_comprehension_required(self) -> list[int]:
        return [f.identifier for f in self.of_kind(FindingKind.UNRECOGNISED_IE) if f.comprehension_required]

    def kinds(self) -> list[FindingKind]:
        return [f.kind for f in self.findings]
