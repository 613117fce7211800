"""Shared by the seeder's tests."""

from __future__ import annotations

import pytest

from bench.seed_copy import CopyWriter


@pytest.fixture
def second_write_fails(monkeypatch):
    """The seeder's second batch fails as it is copied ("disk full"); the first commits."""
    write, calls = CopyWriter.write, []

    def second_fails(self, payload):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return write(self, payload)

    monkeypatch.setattr(CopyWriter, "write", second_fails)
