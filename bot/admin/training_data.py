"""Intents, examples, synonyms, lookup tables and responses, as the console's editors see them.

New intents, synonyms and lookup tables go to `data/nlu/admin.yml`; examples added to an existing
intent go to the file that already holds it. An intent with a "direct answer" gets a response
`utter_<intent>` and a rule in `data/rules/admin.yml`, so an editor never has to write a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bot.admin.yamlio import (
    Changeset,
    DataError,
    append,
    block_map,
    examples_block,
    load,
    parse_examples,
    seq,
    text_scalar,
)
from bot.nlu.normalization import fold_diacritics

KINDS = ("intent", "synonym", "lookup")
KIND_LABELS = {"intent": "Ý định", "synonym": "Từ đồng nghĩa", "lookup": "Bảng tra cứu"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
ADMIN_NLU = "data/nlu/admin.yml"
ADMIN_RULES = "data/rules/admin.yml"


@dataclass
class Entry:
    """One intent / synonym / lookup table, with its examples grouped by file."""

    kind: str
    name: str
    files: dict[str, list[str]] = field(default_factory=dict)
    in_domain: bool = False

    @property
    def examples(self) -> list[str]:
        return [text for texts in self.files.values() for text in texts]


def check_name(name: str, what: str = "Tên") -> str:
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise DataError(f"{what} '{name}' không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu "
                        "gạch dưới, bắt đầu bằng chữ cái (ví dụ: hoi_gio_lam_viec).")
    return name


# Citizens ask in a sentence or two; a pasted page as one example would only teach noise.
MAX_EXAMPLE_CHARS = 500


def clean_lines(text: str) -> list[str]:
    """Examples typed one per line; a leading "- " is tolerated."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return [line[2:].strip() if line.startswith("- ") else line for line in lines if line]


class ProjectData:
    def __init__(self, root: Path) -> None:
        self.root = root

    # --- reading -----------------------------------------------------------------------------

    def nlu_files(self) -> list[Path]:
        folder = self.root / "data" / "nlu"
        return sorted(p for p in folder.rglob("*.yml") if not p.name.startswith("."))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def path(self, relative: str) -> Path:
        """A project file from a form value, refusing anything outside data/nlu."""
        path = (self.root / relative).resolve()
        if path.suffix != ".yml" or (self.root / "data" / "nlu").resolve() not in path.parents:
            raise DataError(f"Tệp không hợp lệ: {relative}")
        return path

    def domain(self) -> CommentedMap:
        return load(self.root / "domain.yml")

    def entries(self, kind: str) -> dict[str, Entry]:
        result: dict[str, Entry] = {}
        for path in self.nlu_files():
            for item in load(path).get("nlu") or []:
                if isinstance(item, dict) and kind in item:
                    name = str(item[kind])
                    entry = result.setdefault(name, Entry(kind, name))
                    entry.files.setdefault(self.rel(path), []).extend(
                        parse_examples(item.get("examples")))
        if kind == "intent":
            for name in self.domain_intents():
                result.setdefault(name, Entry(kind, name)).in_domain = True
        return dict(sorted(result.items()))

    def domain_intents(self) -> list[str]:
        names = []
        for item in self.domain().get("intents") or []:
            names.append(str(next(iter(item))) if isinstance(item, dict) else str(item))
        return names

    def responses(self) -> dict[str, list[dict[str, Any]]]:
        responses = self.domain().get("responses") or {}
        return {str(name): [dict(v) for v in variants or []]
                for name, variants in responses.items()}

    def search(self, kind: str, query: str) -> dict[str, Entry]:
        needle = fold_diacritics(query.strip().lower())
        entries = self.entries(kind)
        if not needle:
            return entries
        return {name: e for name, e in entries.items()
                if needle in name.lower() or any(needle in fold_diacritics(x.lower())
                                                 for x in e.examples)}

    def direct_answer(self, intent: str) -> str | None:
        """The response an admin rule maps this intent to, if any."""
        rules = load(self.root / ADMIN_RULES).get("rules") or []
        for rule in rules:
            steps = rule.get("steps") or []
            if len(steps) == 2 and steps[0].get("intent") == intent:
                return str(steps[1].get("action"))
        return None

    # --- writing examples --------------------------------------------------------------------

    def add_examples(self, kind: str, name: str, texts: list[str]) -> Changeset:
        """Add examples to an entry, creating it in admin.yml when new."""
        name = check_name(name) if kind == "intent" else name.strip()
        if kind not in KINDS or not name:
            raise DataError("Thiếu tên.")
        if not texts:
            raise DataError("Hãy nhập ít nhất một câu ví dụ.")
        too_long = [t for t in texts if len(t) > MAX_EXAMPLE_CHARS]
        if too_long:
            raise DataError(f"Mỗi câu ví dụ tối đa {MAX_EXAMPLE_CHARS} ký tự; câu bắt đầu bằng "
                            f"“{too_long[0][:40]}…” dài {len(too_long[0])} ký tự. Mỗi dòng là "
                            "một câu.")
        entry = self.entries(kind).get(name)
        existing = set(entry.examples) if entry else set()
        new = [t for t in dict.fromkeys(texts) if t not in existing]
        if not new:
            raise DataError("Các câu này đã có sẵn.")
        target = self.root / (next(iter(entry.files)) if entry and entry.files else ADMIN_NLU)
        changes = Changeset(self.root)
        document = load(target)
        if "version" not in document:
            document.insert(0, "version", "3.1")
        items = document.setdefault("nlu", seq([]))
        for item in items:
            if isinstance(item, dict) and str(item.get(kind)) == name:
                item["examples"] = examples_block(parse_examples(item.get("examples")) + new)
                break
        else:
            append(items, CommentedMap([(kind, name), ("examples", examples_block(new))]))
        changes.put(target, document)
        if kind == "intent" and (entry is None or not entry.in_domain):
            domain = self.domain()
            append(domain.setdefault("intents", seq([])), name)
            changes.put(self.root / "domain.yml", domain)
        changes.commit()
        return changes

    def replace_example(self, kind: str, name: str, relative: str, old: str,
                        new: str | None) -> None:
        """Edit (new text) or delete (new=None) one example in one file."""
        path = self.path(relative)
        document = load(path)
        for item in document.get("nlu") or []:
            if isinstance(item, dict) and str(item.get(kind)) == name:
                texts = parse_examples(item.get("examples"))
                if old not in texts:
                    break
                index = texts.index(old)
                if new is None:
                    texts.pop(index)
                else:
                    texts[index] = new.strip()
                if not texts:
                    raise DataError("Không thể xoá câu ví dụ cuối cùng; hãy xoá cả mục này.")
                item["examples"] = examples_block(texts)
                changes = Changeset(self.root)
                changes.put(path, document)
                changes.commit()
                return
        raise DataError("Không tìm thấy câu ví dụ này (có thể ai đó vừa sửa). Hãy tải lại trang.")

    def delete_entry(self, kind: str, name: str) -> None:
        """Remove an entry from every NLU file (and, for an intent, the domain and admin rules)."""
        if kind == "intent":
            used = self._used_in_stories(f"intent: {name}")
            if used:
                raise DataError(f"Ý định '{name}' đang được dùng trong {used}; "
                                "hãy sửa tệp đó trước.")
        changes = Changeset(self.root)
        for path in self.nlu_files():
            document = load(path)
            items = document.get("nlu") or []
            keep = [i for i in items if not (isinstance(i, dict) and str(i.get(kind)) == name)]
            if len(keep) != len(items):
                for item in [i for i in items if i not in keep]:
                    items.remove(item)
                changes.put(path, document)
        if kind == "intent":
            domain = self.domain()
            intents = domain.get("intents") or []
            for item in list(intents):
                key = next(iter(item)) if isinstance(item, dict) else item
                if str(key) == name:
                    intents.remove(item)
            changes.put(self.root / "domain.yml", domain)
            rules_path = self.root / ADMIN_RULES
            rules = load(rules_path)
            kept = [r for r in rules.get("rules") or []
                    if not (r.get("steps") and r["steps"][0].get("intent") == name)]
            if rules and len(kept) != len(rules.get("rules") or []):
                rules["rules"] = seq(kept)
                changes.put(rules_path, rules)
        if not changes.files:
            raise DataError(f"Không tìm thấy '{name}'.")
        changes.commit()

    def _used_in_stories(self, needle: str) -> str:
        for folder in ("data/stories", "data/rules"):
            for path in sorted((self.root / folder).rglob("*.yml")):
                if self.rel(path) == ADMIN_RULES:
                    continue
                text = path.read_text(encoding="utf-8")
                if re.search(rf"{re.escape(needle)}\s*$", text, re.MULTILINE):
                    return self.rel(path)
        return ""

    # --- responses ---------------------------------------------------------------------------

    def save_response(self, name: str, texts: list[str]) -> dict[str, Any]:
        """Set the text variants of a response, keeping buttons/extra keys of existing variants.

        Returns the before/after for the audit log.
        """
        name = check_name(name, "Tên câu trả lời")
        if not name.startswith("utter_"):
            raise DataError("Tên câu trả lời phải bắt đầu bằng 'utter_' "
                            "(ví dụ: utter_gio_lam_viec).")
        if not any(t.strip() for t in texts):
            raise DataError("Câu trả lời cần ít nhất một nội dung.")
        domain = self.domain()
        responses = domain.get("responses")
        if not isinstance(responses, dict):
            responses = domain["responses"] = CommentedMap()
        block_map(responses)
        old = list(responses.get(name) or [])
        before = [dict(v) for v in old]
        variants = []
        # Position i of the form is variant i: an emptied field drops that variant only, and
        # the others keep their buttons and extra keys.
        for index, text in enumerate(texts):
            if not text.strip():
                continue
            variant = old[index] if index < len(old) else CommentedMap()
            variant["text"] = text_scalar(text.strip())
            variants.append(variant)
        responses[name] = seq(variants)
        changes = Changeset(self.root)
        changes.put(self.root / "domain.yml", domain)
        changes.commit()
        return {"before": before, "after": [dict(v) for v in variants]}

    def delete_response(self, name: str) -> list[dict[str, Any]]:
        used = self._used_in_stories(f"action: {name}")
        if used or self.direct_answer_users(name):
            raise DataError(f"Câu trả lời '{name}' đang được dùng ({used or 'trả lời trực tiếp'}).")
        domain = self.domain()
        responses = domain.get("responses") or {}
        if name not in responses:
            raise DataError(f"Không tìm thấy câu trả lời '{name}'.")
        before = [dict(v) for v in responses[name]]
        del responses[name]
        changes = Changeset(self.root)
        changes.put(self.root / "domain.yml", domain)
        changes.commit()
        return before

    def direct_answer_users(self, response: str) -> list[str]:
        rules = load(self.root / ADMIN_RULES).get("rules") or []
        return [str(r["steps"][0].get("intent")) for r in rules
                if len(r.get("steps") or []) == 2 and r["steps"][1].get("action") == response]

    def set_direct_answer(self, intent: str, text: str) -> dict[str, Any]:
        """Answer `intent` with `text` always: response utter_<intent> plus an admin rule."""
        intent = check_name(intent)
        if intent not in self.entries("intent"):
            raise DataError(f"Chưa có ý định '{intent}'.")
        response = f"utter_{intent}"
        domain = self.domain()
        responses = domain.get("responses")
        if not isinstance(responses, dict):
            responses = domain["responses"] = CommentedMap()
        block_map(responses)
        before = [dict(v) for v in responses.get(response) or []]
        responses[response] = seq([CommentedMap([("text", text_scalar(text.strip()))])])
        changes = Changeset(self.root)
        changes.put(self.root / "domain.yml", domain)
        if self.direct_answer(intent) is None:
            rules_path = self.root / ADMIN_RULES
            rules = load(rules_path)
            if "version" not in rules:
                rules.insert(0, "version", "3.1")
            append(rules.setdefault("rules", seq([])), CommentedMap([
                ("rule", f"Trả lời trực tiếp cho {intent} (tạo trong trang quản trị)"),
                ("steps", seq([CommentedMap([("intent", intent)]),
                               CommentedMap([("action", response)])])),
            ]))
            changes.put(rules_path, rules)
        changes.commit()
        return {"response": response, "before": before, "after": text.strip()}
