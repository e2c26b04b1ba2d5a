"""Telegram bridge: Telegram ⇄ this process ⇄ our Rasa REST channel.

Not Rasa's own Telegram channel: our REST channel screens every message and signs
button payloads, and a separate process can be scaled, restarted and rate-limited
on its own. Start it with `python -m connectors.telegram`.
"""
