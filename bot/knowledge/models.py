"""The procedure model: one administrative procedure (thủ tục hành chính)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any

PORTAL_SEARCH_URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html"


@dataclass
class SubmissionMethod:
    """One way to submit: "Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"."""

    channel: str
    processing_time: str = ""
    fee: str = ""
    description: str = ""


@dataclass
class Document:
    """One document of the application file (thành phần hồ sơ)."""

    name: str
    originals: int = 0
    copies: int = 0
    # Heading of the table the document came from: the case it applies to ("Trường hợp ...").
    group: str = ""
    # True for rows that are notes or conditions rather than documents ("Lưu ý: ...").
    is_note: bool = False


@dataclass
class Procedure:
    code: str
    name: str
    field: str = ""
    # "Cấp xã", "Cấp tỉnh", "Cấp trung ương"
    levels: list[str] = dataclass_field(default_factory=list)
    executing_agency: str = ""
    issuing_agency: str = ""  # "Bộ Công an", or "UBND tỉnh X" for a province's variant
    target_users: str = ""
    methods: list[SubmissionMethod] = dataclass_field(default_factory=list)
    documents: list[Document] = dataclass_field(default_factory=list)
    steps: list[str] = dataclass_field(default_factory=list)
    legal_basis: list[str] = dataclass_field(default_factory=list)
    requirements: str = ""
    result: str = ""
    portal_url: str = ""
    source: str = "national"  # "national" (imported), "curated" (data/catalog), "admin" (edited)
    updated: str = ""  # ISO date of the last change
    # Curated entries only: a short plain-language summary and the names people use.
    summary: str = ""
    aliases: list[str] = dataclass_field(default_factory=list)

    @property
    def province(self) -> str | None:
        """Province of a provincial variant ("UBND tỉnh Lạng Sơn" -> "Lạng Sơn"), else None."""
        agency = self.issuing_agency.strip()
        for prefix in ("UBND tỉnh ", "UBND thành phố ", "UBND Thành phố ", "UBND TP "):
            if agency.startswith(prefix):
                return agency[len(prefix) :].strip()
        return None

    @property
    def online_methods(self) -> list[SubmissionMethod]:
        return [m for m in self.methods if "tuyến" in m.channel.lower()]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["methods"] = [
            m if isinstance(m, SubmissionMethod) else SubmissionMethod(**m)
            for m in values.get("methods") or []
        ]
        values["documents"] = [
            d if isinstance(d, Document) else Document(**d) for d in values.get("documents") or []
        ]
        for list_field in ("levels", "steps", "legal_basis", "aliases"):
            values[list_field] = list(values.get(list_field) or [])
        return cls(**values)
