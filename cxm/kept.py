"""Values a web process keeps for a moment: what every survey submission reads and almost never changes.

At hundreds of answers a second a read kept for SURVEY_LINK_CACHE_SECONDS (a second) is made once per
process per second instead of once per request. A change made in another process reaches this one within
that second; one made in this process at once, through forget() (the models' signals call it). The
values are shared by the requests of the process: callers must not change them.
"""

import time

from django.conf import settings

# Bounds the memory that keys probed by bots could take (a miss is never kept, a hit only briefly).
MAX_ENTRIES = 1024
_all: list["Kept"] = []


class Kept:
    def __init__(self):
        self._entries: dict = {}
        _all.append(self)

    def get(self, key, load):
        """The value kept for `key`, or load(), kept for the next SURVEY_LINK_CACHE_SECONDS unless it is None
        (a link that leads nowhere is asked again)."""
        now = time.monotonic()
        kept = self._entries.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = load()
        seconds = settings.SURVEY_LINK_CACHE_SECONDS
        if value is not None and seconds > 0:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now + seconds, value)
        return value

    def forget(self) -> None:
        self._entries.clear()


def forget_all() -> None:
    for kept in _all:
        kept.forget()
