"""The bounded queue: what does not fit is dropped oldest first, counted and logged."""

from __future__ import annotations

import logging

import pytest

from bot.monitoring.buffer import BoundedBuffer


def test_past_its_capacity_the_oldest_go_and_are_counted() -> None:
    buffer = BoundedBuffer(3)
    for n in range(5):
        buffer.append(n)
    assert list(buffer) == [2, 3, 4]
    assert buffer.report_dropped() == 2 and buffer.report_dropped() == 0
    assert buffer.dropped_total == 2


def test_a_batch_that_failed_goes_back_in_front_as_far_as_there_is_room() -> None:
    buffer = BoundedBuffer(5)
    for n in range(6):
        buffer.append(n)
    batch = buffer.take(3)
    assert batch == [1, 2, 3] and list(buffer) == [4, 5]
    buffer.append(6)
    buffer.append(7)
    buffer.put_back(batch)  # room for one: the newest of the batch
    assert list(buffer) == [3, 4, 5, 6, 7]
    assert buffer.report_dropped() == 1 + 2


def test_drops_are_logged_at_most_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    buffer = BoundedBuffer(1, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.monitoring.buffer"):
        for n in range(10):
            buffer.append(n)
        now[0] = 61.0
        buffer.append(99)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2
    assert "scartati finora 10 eventi" in warnings[-1]
