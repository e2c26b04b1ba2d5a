"""Who a conversation belongs to: the sender-id prefixes reserved for our channels.

A conversation id is never what a client merely says. The web chat issues its own ids
(`web:` + 144 random bits, resumed only with a signed token); Telegram conversations
(`telegram:<chat id>`) are spoken for only by the bridge, over an authenticated route.
The public REST channel refuses every reserved prefix, so nobody can write into (or
read from, or open tickets for) someone else's conversation by naming it. A new
channel adds its prefix here, and the REST channel refuses it from then on.
"""

from __future__ import annotations

# input channel name -> sender id prefix
CHANNEL_PREFIXES: dict[str, str] = {
    "webchat": "web:",
    "telegram": "telegram:",
}
# Channels whose messages reach Rasa through a bridge process (service token), not directly.
BRIDGED_CHANNELS = frozenset({"telegram"})
REST_CHANNEL = "rest"


def reserved_channel(sender_id: str) -> str | None:
    """The channel that owns this sender id's prefix, or None for an ordinary REST sender."""
    folded = sender_id.strip().lower()
    for channel, prefix in CHANNEL_PREFIXES.items():
        if folded.startswith(prefix):
            return channel
    return None


def channel_of(sender_id: str) -> str:
    """The channel a conversation belongs to, from its (server-issued or authenticated) id."""
    return reserved_channel(sender_id) or REST_CHANNEL
