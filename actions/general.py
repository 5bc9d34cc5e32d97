"""General actions: where to go, how to reach a person, and the fallback's "did you mean...?".

Province contacts come from `settings/province.yml` (see actions/province.py). While a value is
still a placeholder the answer says so and gives only the national fallbacks that always hold:
the national portal and the commune's People's Committee / police.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.province import ProvinceConfig, load_province_config

PORTAL_URL = "https://dichvucong.gov.vn"

# Human-readable label per intent, for the fallback's suggestion buttons.
INTENT_LABELS: dict[str, str] = {
    "greet": "Chào hỏi",
    "goodbye": "Kết thúc trò chuyện",
    "thank": "Cảm ơn",
    "bot_challenge": "Bạn là người hay máy?",
    "help": "Xem các việc trợ lý làm được",
    "ask_procedure": "Hỏi về một thủ tục",
    "ask_documents": "Cần chuẩn bị giấy tờ gì",
    "ask_fee": "Lệ phí bao nhiêu",
    "ask_processing_time": "Mất bao lâu",
    "ask_where_to_submit": "Nộp hồ sơ ở đâu",
    "ask_submit_online": "Nộp trực tuyến được không",
    "eid_activate": "Đăng ký, kích hoạt định danh điện tử (VNeID)",
    "eid_troubleshoot": "Sửa lỗi ứng dụng VNeID",
    "cashless_payment": "Thanh toán không dùng tiền mặt",
    "scam_warning": "Cảnh báo lừa đảo",
    "check_application_status": "Tra cứu tình trạng hồ sơ",
    "find_office": "Tìm nơi làm thủ tục",
    "submit_feedback": "Gửi phản ánh, góp ý",
    "request_human": "Gặp nhân viên",
    "portal_account": "Tài khoản Cổng Dịch vụ công",
    "check_ticket_status": "Tra cứu phản ánh đã gửi",
}
# Intents that make no sense as "did you mean ...?" suggestions.
NOT_SUGGESTED = {"nlu_fallback", "affirm", "deny", "out_of_scope", "rate_help"}
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05

TWO_TIERS = (
    "Từ 01/07/2025 chính quyền địa phương chỉ còn hai cấp: tỉnh và xã/phường (không còn cấp "
    "huyện).\n"
    "• Thủ tục cấp xã (hộ tịch, chứng thực, trợ cấp...): bộ phận một cửa của UBND xã/phường "
    "nơi bạn ở. Căn cước, cư trú, định danh điện tử: Công an xã/phường.\n"
    "• Thủ tục cấp tỉnh: Trung tâm Phục vụ hành chính công của tỉnh/thành phố.\n"
    f"• Nhiều thủ tục nộp trực tuyến được tại {PORTAL_URL}."
)
OFFICE_FIELDS = (
    ("address", "Địa chỉ"),
    ("opening_hours", "Giờ làm việc"),
    ("hotline", "Đường dây nóng"),
    ("website", "Cổng dịch vụ công của tỉnh"),
)
STAFF_FIELDS = (
    ("hotline", "Điện thoại hỗ trợ"),
    ("zalo", "Zalo"),
    ("email", "Email"),
    ("hours", "Thời gian có nhân viên trực"),
)


def _configured_lines(config: ProvinceConfig, section: str, fields: tuple) -> list[str]:
    return [
        f"• {label}: {config.get(section, key)}"
        for key, label in fields
        if config.get(section, key)
    ]


def office_text(config: ProvinceConfig) -> str:
    """Where to go: the two-tier rule, then the province's centre if configured."""
    lines = [TWO_TIERS, ""]
    centre = _configured_lines(config, "one_stop_centre", OFFICE_FIELDS)
    if centre:
        name = config.get("one_stop_centre", "name") or "Trung tâm Phục vụ hành chính công"
        where = f" {config.name}" if config.name and config.name not in name else ""
        lines.append(f"{name}{where}:")
        lines.extend(centre)
        missing = [label for key, label in OFFICE_FIELDS if not config.get("one_stop_centre", key)]
        if missing:
            lines.append("Tỉnh chưa cấu hình: " + ", ".join(m.lower() for m in missing) + ".")
    else:
        lines.append(
            "Tỉnh chưa cấu hình địa chỉ, giờ làm việc và số điện thoại của Trung tâm Phục vụ "
            "hành chính công cho trợ lý này. Bạn hỏi UBND xã/phường nơi bạn ở, hoặc tra cứu "
            f"thủ tục và nơi nộp trên {PORTAL_URL}."
        )
    return "\n".join(lines)


def staff_text(config: ProvinceConfig) -> str:
    """How to reach a person: configured channels, else the national fallbacks."""
    lines = ["Hiện trợ lý chưa chuyển được cuộc trò chuyện sang nhân viên."]
    staff = _configured_lines(config, "staff_contact", STAFF_FIELDS)
    if staff:
        lines.append("Bạn có thể liên hệ cán bộ hỗ trợ:")
        lines.extend(staff)
    else:
        lines.append("Tỉnh chưa cấu hình số điện thoại hay kênh liên hệ nhân viên cho trợ lý này.")
    lines.append("Bạn cũng có thể:")
    lines.append(
        "• Đến bộ phận một cửa của UBND xã/phường nơi bạn ở (căn cước, cư trú, VNeID: "
        "Công an xã/phường)."
    )
    lines.append(f"• Gửi phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia: {PORTAL_URL}.")
    team = config.get("community_digital_teams", "contact")
    if team:
        lines.append(
            f"• Nhờ Tổ công nghệ số cộng đồng giúp cài VNeID, nộp hồ sơ trực tuyến: {team}."
        )
    return "\n".join(lines)


class ActionFindOffice(Action):
    def name(self) -> str:
        return "action_find_office"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=office_text(load_province_config()),
            buttons=[
                {"title": "Nộp trực tuyến", "payload": "/ask_submit_online"},
                {"title": "Gặp nhân viên", "payload": "/request_human"},
            ],
        )
        return []


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=staff_text(load_province_config()))
        return []


def suggestion_buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    """Buttons for the top intent guesses of ``message``, keeping its entities in the payload."""
    entities = {
        e["entity"]: e["value"]
        for e in message.get("entities") or []
        if e.get("entity") and e.get("value") is not None
    }
    suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
    buttons = []
    for guess in message.get("intent_ranking") or []:
        name = guess.get("name")
        if name in NOT_SUGGESTED or name not in INTENT_LABELS:
            continue
        if (guess.get("confidence") or 0.0) < MIN_SUGGESTION_CONFIDENCE:
            continue
        buttons.append({"title": INTENT_LABELS[name], "payload": f"/{name}{suffix}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    # The two-stage fallback reads out_of_scope as "none of these": it then asks to rephrase.
    buttons.append({"title": "Không phải các ý trên", "payload": "/out_of_scope"})
    return buttons


class ActionDefaultAskAffirmation(Action):
    """First stage of the two-stage fallback: offer the best guesses as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = suggestion_buttons(tracker.latest_message)
        text = (
            "Xin lỗi, mình chưa chắc đã hiểu đúng. Có phải bạn muốn hỏi:"
            if len(buttons) > 1
            else "Xin lỗi, mình chưa hiểu ý bạn."
        )
        dispatcher.utter_message(text=text, buttons=buttons)
        return []
