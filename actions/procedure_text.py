"""Citizen-facing texts about one procedure: pure functions from a Procedure to messages.

Kept apart from the action so the wording can be tested without Rasa. Every answer names the
procedure and its code and ends with its national portal link; a fact the portal does not
publish is said plainly instead of guessed. Chat apps cut or fold long texts, so long answers are
split into several messages (each at most ~1,500 characters and 10 document lines).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bot.knowledge.models import PORTAL_SEARCH_URL, Document, Procedure

MAX_MESSAGE_CHARS = 1500
MAX_DOCUMENT_LINES = 10
MAX_BUTTON_TITLE = 60

Button = dict[str, str]

# Facet intents, in the order the follow-up buttons are offered, with their button labels.
FACETS: dict[str, str] = {
    "ask_procedure": "Giới thiệu thủ tục",
    "ask_documents": "Cần giấy tờ gì?",
    "ask_fee": "Lệ phí bao nhiêu?",
    "ask_processing_time": "Mất bao lâu?",
    "ask_where_to_submit": "Nộp ở đâu?",
    "ask_submit_online": "Làm online được không?",
}


def title(procedure: Procedure) -> str:
    return f"{procedure.name} (mã {procedure.code})"


def portal_url(procedure: Procedure) -> str:
    return procedure.portal_url or PORTAL_SEARCH_URL


def portal_line(procedure: Procedure) -> str:
    return f"Chi tiết trên Cổng Dịch vụ công quốc gia: {portal_url(procedure)}"


def missing(fact: str) -> str:
    """The plain "not published" sentence, pointing to the portal."""
    return (
        f"Cổng Dịch vụ công quốc gia chưa công bố {fact} cho thủ tục này. "
        "Bạn xem lại trên trang thủ tục hoặc hỏi trực tiếp nơi tiếp nhận hồ sơ."
    )


def payload(intent: str, code: str) -> str:
    return f"/{intent}" + json.dumps({"procedure_code": code}, separators=(",", ":"))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;(") + "…"


def choice_title(procedure_name: str, code: str) -> str:
    """A button title of at most 60 characters that still shows the code."""
    suffix = f" ({code})"
    return _shorten(procedure_name, MAX_BUTTON_TITLE - len(suffix)) + suffix


def choice_buttons(intent: str, choices: Iterable[tuple[str, str]]) -> list[Button]:
    """Buttons re-asking ``intent`` about each (code, name) choice."""
    return [{"title": choice_title(name, code), "payload": payload(intent, code)}
            for code, name in choices]


def facet_buttons(procedure: Procedure, exclude: str) -> list[Button]:
    return [{"title": label, "payload": payload(intent, procedure.code)}
            for intent, label in FACETS.items() if intent not in (exclude, "ask_procedure")]


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


def _copies(document: Document) -> str:
    parts = []
    if document.originals:
        parts.append(f"{document.originals} bản chính")
    if document.copies:
        parts.append(f"{document.copies} bản sao")
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
    lines: list[str] = []
    named_groups = len(groups) > 1 or any(groups)
    for group, documents in groups.items():
        if named_groups and group:
            lines.append(f"\n{group.rstrip(':')}:")
        lines.extend(f"• {d.name}{_copies(d)}" for d in documents)
    if notes:
        lines.append("\nLưu ý:")
        lines.extend(f"– {note}" for note in notes)
    return lines


def documents_messages(procedure: Procedure) -> list[str]:
    head = f"Hồ sơ cho thủ tục {title(procedure)}:"
    if not any(not d.is_note for d in procedure.documents):
        return [f"{head}\n{missing('danh sách giấy tờ')}\n{portal_line(procedure)}"]
    return split_messages(head, document_lines(procedure), "\n" + portal_line(procedure))


def _by_channel(procedure: Procedure, attribute: str) -> list[str]:
    return [f"• {m.channel}: {getattr(m, attribute)}"
            for m in procedure.methods if getattr(m, attribute).strip()]


def fee_message(procedure: Procedure) -> str:
    fees = _by_channel(procedure, "fee")
    body = "\n".join(fees) if fees else missing("lệ phí")
    return f"Lệ phí thủ tục {title(procedure)}:\n{body}\n{portal_line(procedure)}"


def processing_time_message(procedure: Procedure) -> str:
    times = _by_channel(procedure, "processing_time")
    body = "\n".join(times) if times else missing("thời hạn giải quyết")
    return f"Thời hạn giải quyết thủ tục {title(procedure)}:\n{body}\n{portal_line(procedure)}"


def _channels(procedure: Procedure) -> list[str]:
    lines = []
    for method in procedure.methods:
        detail = f" — {method.description}" if method.description.strip() else ""
        lines.append(f"• {method.channel}{detail}")
    return lines


def where_message(procedure: Procedure) -> str:
    lines = [f"Nơi làm thủ tục {title(procedure)}:"]
    if procedure.executing_agency:
        lines.append(f"Cơ quan thực hiện: {procedure.executing_agency}")
    else:
        lines.append(missing("cơ quan thực hiện"))
    if procedure.levels:
        lines.append(f"Cấp thực hiện: {', '.join(procedure.levels)}")
    if procedure.methods:
        lines.append("Cách nộp hồ sơ:")
        lines.extend(_channels(procedure))
    lines.append(portal_line(procedure))
    return "\n".join(lines)


def online_message(procedure: Procedure) -> str:
    online = procedure.online_methods
    if online:
        lines = [f"Có, thủ tục {title(procedure)} nộp trực tuyến được."]
        lines.extend(f"• {m.description}" for m in online if m.description.strip())
        lines.append(f"Nộp tại Cổng Dịch vụ công quốc gia: {portal_url(procedure)}")
        return "\n".join(lines)
    if procedure.methods:
        channels = ", ".join(m.channel.lower() for m in procedure.methods)
        return (
            f"Thủ tục {title(procedure)} chưa có hình thức nộp trực tuyến trên Cổng Dịch vụ công "
            f"quốc gia; hiện nộp theo cách: {channels}.\n{portal_line(procedure)}"
        )
    return (f"Thủ tục {title(procedure)}:\n{missing('cách thức nộp hồ sơ')}\n"
            f"{portal_line(procedure)}")


def summary_message(procedure: Procedure) -> str:
    lines = [title(procedure)]
    if procedure.summary:
        lines.append(procedure.summary)
    else:
        if procedure.executing_agency:
            lines.append(f"Cơ quan thực hiện: {procedure.executing_agency}.")
        if procedure.result:
            lines.append(f"Kết quả: {_shorten(procedure.result, 300)}.")
    lines.append(portal_line(procedure))
    lines.append("Bạn muốn biết thêm điều gì?")
    return "\n".join(lines)


def facet_messages(intent: str, procedure: Procedure) -> list[str]:
    """The answer to one facet intent about ``procedure``, as one or more messages."""
    if intent == "ask_documents":
        return documents_messages(procedure)
    if intent == "ask_fee":
        return [fee_message(procedure)]
    if intent == "ask_processing_time":
        return [processing_time_message(procedure)]
    if intent == "ask_where_to_submit":
        return [where_message(procedure)]
    if intent == "ask_submit_online":
        return [online_message(procedure)]
    return [summary_message(procedure)]


def choices_text() -> str:
    return "Bạn đang hỏi thủ tục nào dưới đây? Chọn một thủ tục để mình trả lời nhé."


def not_found_text() -> str:
    return (
        "Xin lỗi, mình chưa tìm thấy thủ tục bạn hỏi. Bạn thử ghi rõ tên thủ tục, ví dụ "
        "\"đăng ký thường trú\", \"cấp lại thẻ căn cước\", hoặc mã thủ tục như 1.004222.\n"
        f"Bạn cũng có thể tra cứu trên Cổng Dịch vụ công quốc gia: {PORTAL_SEARCH_URL}"
    )


def unavailable_text() -> str:
    return (
        "Xin lỗi, hiện mình chưa tra cứu được dữ liệu thủ tục. Bạn vui lòng thử lại sau, hoặc "
        f"tra cứu trực tiếp trên Cổng Dịch vụ công quốc gia: {PORTAL_SEARCH_URL}"
    )
