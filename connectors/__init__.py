"""Messaging channels that bridge external chat services to the Rasa REST channel."""
