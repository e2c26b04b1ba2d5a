"""Monitoring of the assistant's work: every user turn recorded (pseudonymous, redacted),
daily counters for the dashboard, the review inbox, retention and erasure."""
