"""Live takeover: an operator answers the user in the user's own channel, then hands back.

models (who owns a conversation, the messages since the escalation), service (take,
release, send, messages, suggestions: what the console calls), routes (the Rasa
server's side: is this conversation owned? here is the user's message), rasa_client
(the Rasa server's operator routes: say something to the user, suggest answers).
Ownership lives here, in the API, so a new Rasa session or a restart never ends it.
"""
