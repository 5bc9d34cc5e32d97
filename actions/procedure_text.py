"""Citizen-facing texts about one procedure: pure functions from a Procedure to messages.

Kept apart from the action so the wording can be tested without Rasa. The sentences live in
data/content/procedure.yml (admins edit them); this module only picks facts and fills them in.
Every answer names the procedure and its code and ends with its national portal link; a fact the
portal does not publish is said plainly instead of guessed. Chat apps cut or fold long texts, so
long answers are split into several messages (each at most ~1,500 characters and 10 list lines).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from bot.content import content
from bot.knowledge.models import PORTAL_SEARCH_URL, Document, Procedure

MAX_MESSAGE_CHARS = 1500
MAX_DOCUMENT_LINES = 10
MAX_BUTTON_TITLE = 60
MAX_STEP_CHARS = 400
MAX_LEGAL_ITEMS = 8

Button = dict[str, str]

# Facets a citizen can ask about, and the intent a button re-asks them with. Facets without an
# intent of their own travel as the `facet` entity of ask_procedure.
FACET_INTENTS: dict[str, str] = {
    "overview": "ask_procedure",
    "documents": "ask_documents",
    "fee": "ask_fee",
    "time": "ask_processing_time",
    "where": "ask_where_to_submit",
    "online": "ask_submit_online",
}
INTENT_FACETS = {intent: facet for facet, intent in FACET_INTENTS.items()}
ALL_FACETS = ("overview", "documents", "fee", "time", "where", "online", "steps", "conditions",
              "forms", "legal", "result")


def _t(key: str, **values: object) -> str:
    return content.text(f"procedure.{key}", **values)


def title(procedure: Procedure) -> str:
    return _t("title", name=procedure.name, code=procedure.code)


def portal_url(procedure: Procedure) -> str:
    return procedure.portal_url or PORTAL_SEARCH_URL


def portal_line(procedure: Procedure) -> str:
    return _t("portal_line", url=portal_url(procedure))


def missing(fact: str) -> str:
    """The plain "not published" sentence, pointing to the portal."""
    return _t("missing", fact=fact)


def payload(facet: str, code: str) -> str:
    intent = FACET_INTENTS.get(facet, "ask_procedure")
    entities: dict[str, str] = {"procedure_code": code}
    if facet not in FACET_INTENTS:
        entities["facet"] = facet
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;(") + "…"


def choice_title(procedure_name: str, code: str) -> str:
    """A button title of at most 60 characters that still shows the code."""
    suffix = f" ({code})"
    return _shorten(procedure_name, MAX_BUTTON_TITLE - len(suffix)) + suffix


def choice_buttons(facets: list[str], choices: Iterable[tuple[str, str]]) -> list[Button]:
    """Buttons re-asking the (first) facet about each (code, name) choice."""
    facet = facets[0] if facets else "overview"
    return [{"title": choice_title(name, code), "payload": payload(facet, code)}
            for code, name in choices]


def facet_buttons(procedure: Procedure, exclude: Iterable[str]) -> list[Button]:
    skip = set(exclude)
    return [{"title": button["title"], "payload": payload(button["payload"], procedure.code)}
            for button in content.buttons("procedure.buttons") if button["payload"] not in skip]


def split_messages(head: str, lines: list[str], tail: str,
                   max_chars: int = MAX_MESSAGE_CHARS,
                   max_lines: int = MAX_DOCUMENT_LINES) -> list[str]:
    """Pack ``lines`` into messages: ``head`` opens the first, ``tail`` closes the last.

    A line counts towards ``max_lines`` when it is a list item ("•"); headings and notes only
    count towards the character limit.
    """
    messages: list[str] = []
    current: list[str] = [head] if head else []
    items = 0
    for line in lines:
        is_item = line.startswith("•")
        size = len("\n".join([*current, line]))
        if current and (size > max_chars or (is_item and items >= max_lines)):
            messages.append("\n".join(current))
            current, items = [], 0
        current.append(line)
        items += is_item
    if tail:
        if current and len("\n".join([*current, tail])) > max_chars:
            messages.append("\n".join(current))
            current = []
        current.append(tail)
    if current:
        messages.append("\n".join(current))
    return messages


# -- one section per facet: a heading line and the lines under it -------------------------------


def _copies(document: Document) -> str:
    parts = []
    if document.originals:
        parts.append(_t("copies_originals", count=document.originals))
    if document.copies:
        parts.append(_t("copies_copies", count=document.copies))
    return f" ({', '.join(parts)})" if parts else ""


def document_lines(procedure: Procedure) -> list[str]:
    """Documents grouped by their case ("Trường hợp ..."), notes last, as message lines."""
    groups: dict[str, list[Document]] = {}
    notes: list[str] = []
    for document in procedure.documents:
        if document.is_note:
            notes.append(document.name)
        else:
            groups.setdefault(document.group.strip(), []).append(document)
    if not groups:
        return [missing("danh sách giấy tờ")]
    lines: list[str] = []
    named_groups = len(groups) > 1 or any(groups)
    for group, documents in groups.items():
        if named_groups and group:
            lines.append(f"\n{group.rstrip(':')}:")
        lines.extend(f"• {d.name}{_copies(d)}" for d in documents)
    if notes:
        lines.append("\n" + _t("documents_notes"))
        lines.extend(f"– {note}" for note in notes)
    return lines


def _by_channel(procedure: Procedure, attribute: str) -> list[str]:
    return [f"• {m.channel}: {getattr(m, attribute)}"
            for m in procedure.methods if getattr(m, attribute).strip()]


def _legal_items(procedure: Procedure) -> list[str]:
    return [item for item in procedure.legal_basis if item.strip(" -")]


def fee_lines(procedure: Procedure) -> list[str]:
    fees = _by_channel(procedure, "fee")
    if fees:
        return fees
    # No amount published: name the regulation that sets it when the legal basis has one.
    setting = [item for item in _legal_items(procedure) if re.search(r"\bphí\b", item.lower())]
    lines = [missing("lệ phí")]
    if setting:
        lines.append(_t("fee_set_by", documents="; ".join(setting[:3])))
    return lines


def time_lines(procedure: Procedure) -> list[str]:
    return _by_channel(procedure, "processing_time") or [missing("thời hạn giải quyết")]


def where_lines(procedure: Procedure) -> list[str]:
    lines = []
    if procedure.executing_agency:
        lines.append(_t("where_agency", agency=procedure.executing_agency))
    else:
        lines.append(missing("cơ quan thực hiện"))
    if procedure.levels:
        lines.append(_t("where_levels", levels=", ".join(procedure.levels)))
    if procedure.methods:
        lines.append(_t("where_methods"))
        for method in procedure.methods:
            detail = f" — {method.description}" if method.description.strip() else ""
            lines.append(f"• {method.channel}{detail}")
    return lines


def online_section(procedure: Procedure) -> list[str]:
    online = procedure.online_methods
    if online:
        lines = [_t("online_yes", title=title(procedure))]
        lines.extend(f"• {m.description}" for m in online if m.description.strip())
        lines.append(_t("online_where", url=portal_url(procedure)))
        return lines
    if procedure.methods:
        channels = ", ".join(m.channel.lower() for m in procedure.methods)
        return [_t("online_no", title=title(procedure), channels=channels)]
    return [_t("online_unknown", title=title(procedure)), missing("cách thức nộp hồ sơ")]


def step_lines(procedure: Procedure) -> list[str]:
    if not procedure.steps:
        return [missing("trình tự thực hiện")]
    return [f"• {_shorten(step.lstrip('-• '), MAX_STEP_CHARS)}" for step in procedure.steps]


def condition_lines(procedure: Procedure) -> list[str]:
    if procedure.requirements.strip():
        return [_shorten(procedure.requirements.strip(), 1200)]
    return [_t("conditions_none")]


def form_lines(procedure: Procedure) -> list[str]:
    forms = [d.name for d in procedure.documents if not d.is_note
             and re.search(r"\b(mẫu|tờ khai|đơn)\b", d.name.lower())]
    return [f"• {name}" for name in forms] or [_t("forms_none")]


def legal_lines(procedure: Procedure) -> list[str]:
    items = _legal_items(procedure)
    if not items:
        return [missing("căn cứ pháp lý")]
    return [f"• {_shorten(item, 300)}" for item in items[:MAX_LEGAL_ITEMS]]


def result_lines(procedure: Procedure) -> list[str]:
    return [procedure.result.strip()] if procedure.result.strip() else [missing("kết quả")]


def overview_lines(procedure: Procedure) -> list[str]:
    lines = [title(procedure)]
    if procedure.summary:
        lines.append(procedure.summary)
    else:
        if procedure.executing_agency:
            lines.append(_t("overview_agency", agency=procedure.executing_agency))
        if procedure.result:
            lines.append(_t("overview_result", result=_shorten(procedure.result, 300)))
    return lines


_SECTIONS = {
    "documents": ("documents_heading", document_lines),
    "fee": ("fee_heading", fee_lines),
    "time": ("time_heading", time_lines),
    "where": ("where_heading", where_lines),
    "steps": ("steps_heading", step_lines),
    "conditions": ("conditions_heading", condition_lines),
    "forms": ("forms_heading", form_lines),
    "legal": ("legal_heading", legal_lines),
    "result": ("result_heading", result_lines),
}


def section(facet: str, procedure: Procedure) -> list[str]:
    """One facet's lines, its heading first."""
    if facet == "overview":
        return overview_lines(procedure)
    if facet == "online":
        return online_section(procedure)
    heading, lines = _SECTIONS[facet]
    return [_t(heading, title=title(procedure)), *lines(procedure)]


def answer_messages(facets: list[str], procedure: Procedure) -> list[str]:
    """The answer to one or more facets about ``procedure``, as chat-sized messages.

    Each facet is a section; the portal link closes the answer after a blank line, and an
    overview also asks what else the citizen wants to know.
    """
    facets = [f for f in dict.fromkeys(facets) if f in ALL_FACETS] or ["overview"]
    lines: list[str] = []
    for facet in facets:
        if lines:
            lines.append("")
        lines.extend(section(facet, procedure))
    tail = portal_line(procedure)
    if facets == ["overview"]:
        tail += "\n" + _t("more_question")
    return split_messages("", lines, "\n" + tail)


def choices_text() -> str:
    return _t("choices")


def not_found_text() -> str:
    return _t("not_found", url=PORTAL_SEARCH_URL)


def unavailable_text() -> str:
    return _t("unavailable", url=PORTAL_SEARCH_URL)
