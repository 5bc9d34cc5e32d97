"""Province-specific contacts from `settings/province.yml` (or the file in $PROVINCE_CONFIG).

The file ships with placeholders; an administrator fills it in. A value that is missing, empty or
still a placeholder ("<CHƯA CẤU HÌNH: ...>") counts as not configured, so the assistant never
shows a placeholder to a citizen and never guesses a number or an address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.vocabulary import load_yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "settings" / "province.yml"
ENV_VAR = "PROVINCE_CONFIG"


def is_configured(value: Any) -> bool:
    """True when ``value`` is real content rather than empty or a "<...>" placeholder."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and not (text.startswith("<") and text.endswith(">"))


@dataclass(frozen=True)
class ProvinceConfig:
    """The configured values only; anything still a placeholder is left out."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, section: str, key: str) -> str | None:
        return self.values.get(section, {}).get(key)

    @property
    def name(self) -> str | None:
        return self.get("province", "name")


def config_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def load_province_config(path: Path | None = None) -> ProvinceConfig:
    """Read the config; a missing or broken file means nothing is configured.

    Citizens still get the national fallbacks when an admin's edit breaks the YAML; the error
    goes to the action server's log. Asked on every call and parsed again when the file
    changes, so an edit shows without a restart.
    """
    raw = load_yaml(path or config_path(), what="Province config", missing_ok=True)
    values: dict[str, dict[str, str]] = {}
    for section, entries in raw.items():
        if not isinstance(entries, dict):
            continue
        kept = {str(k): str(v).strip() for k, v in entries.items() if is_configured(v)}
        if kept:
            values[str(section)] = kept
    return ProvinceConfig(values)
