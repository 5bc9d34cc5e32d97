"""Channel-scoped sender ids: "zalo:123", "tg:456", "web:abc", "rest:me".

One namespace per channel, so a caller on one channel can never address a citizen of another.
The back office reads the channel back from the id to deliver staff replies on it.
"""

from __future__ import annotations

PREFIXES = {"zalo": "zalo", "telegram": "tg", "web": "web", "socketio": "web", "rest": "rest",
            "staff": "staff"}
CHANNEL_OF_PREFIX = {"zalo": "zalo", "tg": "telegram", "web": "web", "rest": "rest",
                     "staff": "staff"}


def scoped(channel: str, raw_id: str) -> str:
    """The tracker's sender id for a platform id on a channel."""
    return f"{PREFIXES[channel]}:{raw_id}"


def split(sender_id: str) -> tuple[str | None, str]:
    """(channel, platform id) of a sender id; (None, id) for an unscoped (old) id."""
    prefix, sep, raw = sender_id.partition(":")
    if sep and prefix in CHANNEL_OF_PREFIX:
        return CHANNEL_OF_PREFIX[prefix], raw
    return None, sender_id
