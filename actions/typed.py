"""What the citizen typed, as opposed to what the NLU pipeline made of it."""

from __future__ import annotations

from rasa_sdk import Tracker


def typed_text(tracker: Tracker) -> str:
    """The citizen's last message as typed.

    ``latest_message["text"]`` holds what the NLU pipeline made of it (normalised: lower-case,
    diacritics folded), but accents carry meaning here ("phí" is not "phi"), so the text is taken
    from the last user event, which Rasa stores verbatim.
    """
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return str(event.get("text") or "")
    return str((tracker.latest_message or {}).get("text") or "")
