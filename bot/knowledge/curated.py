"""Loader for the team's curated catalog, ``data/catalog/*.yml``.

Format: a top-level ``procedures:`` list whose mappings use the :class:`Procedure` field names.
Errors name the file and the entry (index and code), because the files are edited by hand.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.models import Document, Procedure, SubmissionMethod

_STR_FIELDS = {
    "code", "name", "summary", "field", "executing_agency", "issuing_agency", "target_users",
    "requirements", "result", "portal_url", "updated",
}
_LIST_FIELDS = {"aliases", "levels", "steps", "legal_basis"}
_ALLOWED = {f.name for f in fields(Procedure)} - {"source"}
_METHOD_KEYS = {f.name for f in fields(SubmissionMethod)}
_DOCUMENT_KEYS = {f.name for f in fields(Document)}


class CatalogError(ValueError):
    """A curated catalog file that cannot be used as written."""


def _check_items(where: str, key: str, value: Any, allowed: set[str], required: str) -> list:
    if not isinstance(value, list):
        raise CatalogError(f"{where}: '{key}' must be a list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: {key}[{index}] must be a mapping")
        unknown = set(item) - allowed
        if unknown:
            raise CatalogError(f"{where}: {key}[{index}] has unknown keys {sorted(unknown)}")
        if not str(item.get(required) or "").strip():
            raise CatalogError(f"{where}: {key}[{index}] needs '{required}'")
    return value


def _entry(path: Path, index: int, raw: Any) -> Procedure:
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: entry #{index + 1} is not a mapping")
    where = f"{path}: entry #{index + 1} ({raw.get('code') or 'no code'})"
    unknown = set(raw) - _ALLOWED
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("code", "name"):
        if not str(raw.get(key) or "").strip():
            raise CatalogError(f"{where}: '{key}' is required")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if key in _STR_FIELDS:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise CatalogError(f"{where}: '{key}' must be text")
            values[key] = str(value).strip()
        elif key in _LIST_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CatalogError(f"{where}: '{key}' must be a list of texts")
            values[key] = [v.strip() for v in value if v.strip()]
        elif key == "methods":
            values[key] = _check_items(where, key, value, _METHOD_KEYS, "channel")
        elif key == "documents":
            values[key] = _check_items(where, key, value, _DOCUMENT_KEYS, "name")
    try:
        procedure = Procedure.from_dict(values)
    except (TypeError, ValueError) as exc:
        raise CatalogError(f"{where}: {exc}") from exc
    procedure.source = "curated"
    return procedure


def load_file(path: Path) -> list[Procedure]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read ({exc})") from exc
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise CatalogError(f"{path}: expected a top-level 'procedures:' list")
    return [_entry(path, i, raw) for i, raw in enumerate(data["procedures"])]


def load_catalog(directory: Path) -> list[Procedure]:
    """Every entry of ``directory/*.yml``; a code defined twice is an error."""
    if not directory.is_dir():
        raise CatalogError(f"{directory}: catalog directory not found")
    seen: dict[str, Path] = {}
    procedures = []
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        for procedure in load_file(path):
            if procedure.code in seen:
                raise CatalogError(
                    f"{path}: code {procedure.code} is already defined in {seen[procedure.code]}"
                )
            seen[procedure.code] = path
            procedures.append(procedure)
    return procedures
