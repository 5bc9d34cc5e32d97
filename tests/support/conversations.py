"""Conversations for the end-to-end answer evaluation: loading, playing, judging.

Shared by `bench/answer_eval.py` (the whole set, reported in docs/answer-evaluation.md) and
`tests/test_answer_regression.py` (a small fast subset). The format is described in
tests/conversations/README.md.

A turn is judged on what the citizen actually receives, plus the tracker for the route taken:
- a procedure turn is right when the reply TEXT names an acceptable code (buttons do not count)
  and every expected facet's heading is there;
- a topic turn is right when an action of that topic answered and no "not sure" action did.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

CONVERSATIONS_DIR = Path(__file__).resolve().parents[1] / "conversations"
CODE_RE = re.compile(r"(?<![\d.])\d\.\d{6}(?!\d)")

# A facet is answered when its heading opens a line of the reply (data/content/procedure.yml).
FACET_MARKERS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.MULTILINE | re.IGNORECASE)
    for name, pattern in {
        "overview": r"muốn biết thêm|^Giới thiệu",
        "documents": r"^\W*(Hồ sơ|Thành phần hồ sơ|Giấy tờ)",
        "fee": r"^\W*(Lệ phí|Phí|Mức thu)",
        "time": r"^\W*Thời (hạn|gian) giải quyết",
        "where": r"^\W*(Nơi (làm|nộp)|Cơ quan thực hiện)",
        "online": r"trực tuyến",
        "steps": r"^\W*(Trình tự|Các bước)",
        "conditions": r"^\W*(Điều kiện|Yêu cầu)",
        "forms": r"^\W*(Mẫu đơn|Mẫu tờ khai|Biểu mẫu)",
        "legal": r"^\W*Căn cứ pháp lý",
        "result": r"^\W*Kết quả",
    }.items()
}

# Which actions answer which topic. A topic turn is right when one of them ran.
TOPIC_ACTIONS: dict[str, tuple[str, ...]] = {
    "eid": ("action_eid_activate",),
    "vneid_help": ("action_eid_troubleshoot",),
    "payments": ("action_cashless_payment",),
    "scam": ("utter_scam_warning", "action_scam_warning"),
    "status": ("utter_check_status", "action_check_status", "action_check_application_status",
               "action_ticket_status"),
    "feedback": ("utter_submit_feedback", "action_submit_feedback", "ticket_form",
                 "action_start_ticket", "action_ticket_start"),
    "human": ("action_request_human", "action_handover_request"),
    "office": ("action_find_office",),
    "portal": ("utter_portal_account", "action_portal_account"),
    "out_of_scope": ("utter_default", "utter_out_of_scope", "action_out_of_scope",
                     "utter_private_dispute"),
    "greet": ("utter_greet",),
    "goodbye": ("utter_goodbye",),
    "thank": ("utter_you_are_welcome",),
    "help": ("utter_help",),
    "bot": ("utter_iamabot",),
    "please_type": ("utter_please_type",),
}
# The "not sure" answers: the two-stage fallback and its steps.
NOT_SURE_ACTIONS = {"action_two_stage_fallback", "action_default_ask_affirmation",
                    "action_default_ask_rephrase", "utter_ask_rephrase"}
NOT_SURE_TEXT = "chưa chắc đã hiểu"
IN_SCOPE_EXCLUDED_TOPICS = {"out_of_scope", "please_type"}


@dataclass
class Turn:
    conversation: str
    index: int
    split: str
    group: str
    user: str
    expect: dict[str, Any]


@dataclass
class Conversation:
    id: str
    split: str
    turns: list[Turn]


@dataclass
class Verdict:
    turn: Turn
    ok: bool
    reason: str  # "" when ok; else wrong_procedure, choices, missing_facets, not_sure, wrong_topic
    reply: str
    codes: list[str]
    facets: list[str]
    actions: list[str]
    intent: str
    not_sure: bool
    seconds: float = 0.0
    buttons: list[str] = field(default_factory=list)


# The real questions' intents for topics -> the topics of the conversation format.
REAL_TOPICS = {"eid_activate": "eid", "eid_troubleshoot": "vneid_help",
               "cashless_payment": "payments", "scam_warning": "scam",
               "check_application_status": "status", "submit_feedback": "feedback",
               "request_human": "human", "find_office": "office", "portal_account": "portal",
               "out_of_scope": "out_of_scope"}
# A real question this long tells a story around its question.
REAL_LONG_CHARS = 200


def load_real_questions(split: str, names: dict[str, str]) -> list[Conversation]:
    """The real citizens' questions of ``split`` ("dev" or "test") as one-turn conversations.

    A question is right when the reply names an acceptable procedure (or answers the topic):
    the facets asked are kept under ``facets_asked`` and reported apart, not judged.
    ``names`` (code -> catalog name) resolves the "re:" labels.
    """
    from bot.knowledge.labelled import real_questions, with_names

    conversations = []
    for i, item in enumerate(with_names(real_questions(split), names)):
        if item.intent in REAL_TOPICS:
            expect: dict[str, Any] = {"topic": REAL_TOPICS[item.intent]}
        else:
            expect = {"procedure": list(item.codes), "facets_asked": list(item.facets)}
        group = "long" if len(item.text) >= REAL_LONG_CHARS else "short"
        turn = Turn(f"real-{split}-{i + 1:03d}", 0, f"real-{split}", group, item.text, expect)
        conversations.append(Conversation(turn.conversation, turn.split, [turn]))
    return conversations


def load_conversations(split: str, directory: Path = CONVERSATIONS_DIR) -> list[Conversation]:
    conversations = []
    for path in sorted((directory / split).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("conversations") or []:
            group = entry.get("group", "")
            turns = [
                Turn(entry["id"], i, split, turn.get("group", group), str(turn["user"]),
                     turn.get("expect") or {})
                for i, turn in enumerate(entry["turns"])
            ]
            conversations.append(Conversation(entry["id"], split, turns))
    return conversations


def judge(turn: Turn, messages: list[dict[str, Any]], actions: list[str], intent: str,
          seconds: float = 0.0) -> Verdict:
    reply = "\n".join(str(m.get("text") or "") for m in messages)
    buttons = [str(b.get("title")) for m in messages for b in m.get("buttons") or []]
    codes = list(dict.fromkeys(CODE_RE.findall(reply)))
    facets = [name for name, marker in FACET_MARKERS.items() if marker.search(reply)]
    not_sure = bool(NOT_SURE_ACTIONS & set(actions)) or NOT_SURE_TEXT in reply
    expect = turn.expect
    reason = ""
    if "procedure" in expect:
        wanted = [str(code) for code in expect["procedure"]]
        if not any(code in codes for code in wanted):
            if not_sure:
                reason = "not_sure"
            elif buttons and any(code in " ".join(buttons) for code in wanted):
                reason = "choices"
            else:
                reason = "wrong_procedure"
        else:
            missing = [f for f in expect.get("facets") or [] if f not in facets]
            if missing:
                reason = "missing_facets:" + ",".join(missing)
    else:
        topic = str(expect.get("topic"))
        if not set(TOPIC_ACTIONS.get(topic, ())) & set(actions):
            reason = "not_sure" if not_sure else "wrong_topic"
    return Verdict(turn, not reason, reason, reply, codes, facets, actions, intent, not_sure,
                   seconds, buttons)


class Player:
    """Plays conversations through the REST channel and reads the route from the tracker."""

    def __init__(self, rasa_url: str, token: str | None = None,
                 tracker_id: Callable[[str], str] | None = None) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.params = {"token": token} if token else {}
        # REST sender ids may be stored with a channel prefix ("rest:<id>").
        self.tracker_ids = [tracker_id] if tracker_id else [lambda s: f"rest:{s}", lambda s: s]

    def _events(self, sender: str) -> list[dict[str, Any]]:
        for make_id in self.tracker_ids:
            response = requests.get(f"{self.rasa_url}/conversations/{make_id(sender)}/tracker",
                                    params=self.params, timeout=30)
            response.raise_for_status()
            events = response.json().get("events") or []
            # Rasa creates an empty tracker (session start only) for an id it does not know
            if any(event.get("event") == "user" for event in events):
                self.tracker_ids = [make_id]
                return events
        return []

    def play(self, conversation: Conversation) -> list[Verdict]:
        import time

        sender = f"eval-{conversation.id}-{uuid.uuid4().hex[:8]}"
        verdicts = []
        seen = 0
        for turn in conversation.turns:
            started = time.perf_counter()
            response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": turn.user}, timeout=120)
            elapsed = time.perf_counter() - started
            messages = response.json() if response.ok else []
            events = self._events(sender)
            new = events[seen:]
            seen = len(events)
            actions = [e["name"] for e in new if e.get("event") == "action"
                       and e.get("name") not in ("action_listen", None)]
            users = [e for e in new if e.get("event") == "user"]
            intent = ((users[-1].get("parse_data") or {}).get("intent") or {}).get("name", "") \
                if users else ""
            verdicts.append(judge(turn, messages, actions, intent or "", elapsed))
        return verdicts
