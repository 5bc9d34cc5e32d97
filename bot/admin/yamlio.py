"""Round-trip YAML: keep order and comments, validate with Rasa, write atomically.

Every change goes through a `Changeset`: the new text of each file is built in memory, checked
with Rasa's own readers (warnings count as errors, since Rasa would silently skip such data), and
only then written, each file to a temporary name and renamed over the old one. Nothing is
half-written when a check fails.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString


class DataError(ValueError):
    """The change would leave invalid training data; the message is for the editor."""


def yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def load(path: Path) -> Any:
    if not path.exists():
        return CommentedMap()
    return yaml().load(path.read_text(encoding="utf-8")) or CommentedMap()


def dump(document: Any) -> str:
    stream = io.StringIO()
    yaml().dump(document, stream)
    return stream.getvalue()


def block_map(mapping: CommentedMap) -> CommentedMap:
    """Turn `{}` (flow style) into a block mapping so added keys are written one per line."""
    mapping.fa.set_block_style()
    return mapping


def examples_block(texts: list[str]) -> LiteralScalarString:
    return LiteralScalarString("".join(f"- {t}\n" for t in texts))


def parse_examples(block: Any) -> list[str]:
    """The `- example` lines of a Rasa `examples: |` block."""
    lines = str(block or "").splitlines()
    return [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]


def text_scalar(text: str) -> str:
    return LiteralScalarString(text + "\n") if "\n" in text else text


def seq(items: list[Any]) -> CommentedSeq:
    result = CommentedSeq(items)
    result.fa.set_block_style()
    return result


def append(sequence: CommentedSeq, value: Any) -> None:
    """Append, moving a trailing blank line/comment of the old last item after the new one."""
    last = len(sequence) - 1
    sequence.append(value)
    if last >= 0 and last in sequence.ca.items:
        sequence.ca.items[last + 1] = sequence.ca.items.pop(last)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rasa_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message).split("\n")[0] for w in caught
            if issubclass(w.category, UserWarning)]


def validate_nlu(text: str, name: str) -> None:
    from rasa.shared.exceptions import YamlException
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    reader = RasaYAMLReader()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            reader.validate(text)
            reader.reads(text)
        except YamlException as error:
            raise DataError(f"Tệp {name} không hợp lệ: {error}") from error
    problems = _rasa_messages(caught)
    if problems:
        raise DataError(f"Tệp {name} có dữ liệu Rasa sẽ bỏ qua: {problems[0]}")


def validate_domain(text: str) -> Any:
    from rasa.shared.core.domain import Domain
    from rasa.shared.exceptions import RasaException

    try:
        return Domain.from_yaml(text)
    except (RasaException, ValueError) as error:
        raise DataError(f"domain.yml không hợp lệ: {error}") from error


def validate_stories(text: str, name: str, domain: Any) -> None:
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.exceptions import RasaException

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            YAMLStoryReader(domain).read_from_string(text)
        except (RasaException, ValueError) as error:
            raise DataError(f"Tệp {name} không hợp lệ: {error}") from error
    problems = _rasa_messages(caught)
    if problems:
        raise DataError(f"Tệp {name} có lỗi: {problems[0]}")


class Changeset:
    """New contents for a few files, validated together and then written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[Path, str] = {}

    def put(self, path: Path, document: Any) -> None:
        self.files[path] = dump(document)

    def validate(self) -> None:
        domain_path = self.root / "domain.yml"
        domain_text = self.files.get(domain_path)
        if domain_text is None and domain_path.exists():
            domain_text = domain_path.read_text(encoding="utf-8")
        domain = validate_domain(domain_text or "")
        for path, text in self.files.items():
            relative = path.relative_to(self.root).as_posix()
            if relative.startswith("data/nlu/"):
                validate_nlu(text, relative)
            elif relative.startswith(("data/rules/", "data/stories/")):
                validate_stories(text, relative, domain)

    def commit(self) -> None:
        """Validate, then write every file; on a write error put back the files already written."""
        self.validate()
        originals = {p: (p.read_text(encoding="utf-8") if p.exists() else None) for p in self.files}
        written: list[Path] = []
        try:
            for path, text in self.files.items():
                atomic_write(path, text)
                written.append(path)
        except OSError:
            for path in written:
                old = originals[path]
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write(path, old)
            raise
