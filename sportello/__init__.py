"""Helpers every process of the assistant shares, whatever its environment: standard library only."""
