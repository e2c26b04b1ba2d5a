"""A bounded queue of events that counts, and says, what it had to drop.

The Rasa server keeps events in memory while the monitoring store cannot take them.
Memory is not unlimited: past `capacity` the oldest event goes, the loss is counted
(and reported with the next batch, so the dashboard shows it) and logged, at most once
a minute so a long outage does not flood the log.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

LOG_EVERY_S = 60.0


class BoundedBuffer(deque[Any]):
    """A deque of events with a capacity; `append` on a full one drops the oldest, counted."""

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.capacity = max(1, capacity)
        self.dropped = 0  # since the last report
        self.dropped_total = 0
        self._clock = clock
        self._last_log = -LOG_EVERY_S

    def append(self, event: Any) -> None:
        if len(self) >= self.capacity:
            self.popleft()
            self._drop(1)
        super().append(event)

    def put_back(self, events: Iterable[Any]) -> None:
        """A batch that could not be sent goes back in front, as far as there is room."""
        batch = list(events)
        room = self.capacity - len(self)
        if room < len(batch):
            self._drop(len(batch) - max(room, 0))
            batch = batch[len(batch) - max(room, 0) :]
        self.extendleft(reversed(batch))

    def take(self, count: int) -> list[Any]:
        return [self.popleft() for _ in range(min(count, len(self)))]

    def report_dropped(self) -> int:
        """The drops since the last call (sent with the next batch)."""
        dropped, self.dropped = self.dropped, 0
        return dropped

    def _drop(self, count: int) -> None:
        self.dropped += count
        self.dropped_total += count
        now = self._clock()
        if now - self._last_log >= LOG_EVERY_S:
            self._last_log = now
            logger.warning(
                "Monitoraggio: coda piena (%d eventi), scartati finora %d eventi: "
                "il magazzino del monitoraggio non li riceve",
                self.capacity,
                self.dropped_total,
            )
