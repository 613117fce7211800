"""What the fault tests start is stopped at teardown, even when an assertion failed first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

import pytest


class Stoppable(Protocol):
    def stop(self) -> None: ...


T = TypeVar("T", bound=Stoppable)


@pytest.fixture
def started() -> Iterator[Callable[[T], T]]:
    """`broker = started(OwnRedis(port))`: stopped (last started, first stopped) at teardown."""
    things: list[Stoppable] = []

    def keep(thing: T) -> T:
        things.append(thing)
        return thing

    yield keep
    for thing in reversed(things):
        thing.stop()
