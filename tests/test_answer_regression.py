"""A fast regression guard from the end-to-end answer evaluation (bench/answer_eval.py):
dev conversations of every kind played through the real Rasa server and action server, judged
the same way as in docs/answer-evaluation.md. The held-out split is never used here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.store import SQLiteProcedureStore
from tests.support.conversations import Conversation, Player, load_conversations

# One or two conversations per group: bare names, short and long questions, several questions
# at once, unaccented and old terms, follow-ups and topic switches, topics and gibberish.
REGRESSION_IDS = [
    "dev-conv-tamtru",     # bare name, then follow-ups that must keep the procedure
    "dev-conv-kethon",     # unaccented bare name and follow-ups
    "dev-bare-03",         # "làm sổ đỏ"
    "dev-bare-04",         # "sang tên sổ đỏ cho con": transfer, not first registration
    "dev-bare-05",         # "mất thẻ bhyt": reissue
    "dev-long-01",         # the Nghệ An life story: documents + time of permanent residence
    "dev-long-15",         # "thủ tục thế nào, phí bao nhiêu, bao lâu"
    "dev-short-01",        # legal basis
    "dev-short-02",        # steps
    "dev-fb-01",           # a flooded road is a report, not a procedure
    "dev-status-01",       # receipt code
    "dev-oos-01",          # keyboard mash
    "r4-conv-cap-lai-bang-lai-phan-anh",  # a person asked for in the middle of a report
]


def _selected() -> list[Conversation]:
    conversations = {c.id: c for c in load_conversations("dev")}
    missing = [i for i in REGRESSION_IDS if i not in conversations]
    assert not missing, f"regression conversations not in tests/conversations/dev: {missing}"
    return [conversations[i] for i in REGRESSION_IDS]


@pytest.mark.parametrize("conversation", _selected(), ids=lambda c: c.id)
def test_conversation_is_answered_right(rasa_stack, deployed_knowledge_db: Path,
                                       conversation: Conversation) -> None:
    with SQLiteProcedureStore(deployed_knowledge_db, create=False) as store:
        absent = [turn.user for turn in conversation.turns if turn.expect.get("procedure")
                  and not any(store.get(code) for code in turn.expect["procedure"])]
    if absent:  # e.g. the BHYT reissue is only in the national catalog
        pytest.skip(f"not in this knowledge base (national data absent?): {absent}")
    verdicts = Player(rasa_stack.rasa_url).play(conversation)
    failures = [
        f"turn {v.turn.index} {v.turn.user!r}: {v.reason}; got codes {v.codes}, facets "
        f"{v.facets}, intent {v.intent}, actions {v.actions}\\n{v.reply[:300]}"
        for v in verdicts if not v.ok
    ]
    assert not failures, "\\n".join(failures)
