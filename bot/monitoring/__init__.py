"""Rasa's side of monitoring: the event broker that ships every conversation event to the
monitoring store (api/monitoring/) without slowing a conversation down."""
