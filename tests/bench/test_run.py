"""bench/run.py's multi-size report: each figure at every size, the ratio, the load beside it."""

from __future__ import annotations

import argparse

import pytest

from bench.run import Figure, _comparison, _sizes

REDIS_PORT = 18147


def test_sizes_are_read_as_a_sorted_list_without_repeats():
    assert _sizes("1000000,100_000,100000") == [100_000, 1_000_000]


@pytest.mark.parametrize("text", ["", "lots", "-5"])
def test_a_size_that_is_not_a_number_of_complaints_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        _sizes(text)


def test_the_comparison_gives_each_figure_at_each_size_with_the_ratio_and_load():
    results = [
        (100_000, "search", [Figure("search customer p95", 10.0, "ms")], "1.0/1.0/1.0"),
        (1_000_000, "search", [Figure("search customer p95", 12.5, "ms")], "2.0/1.5/1.0"),
    ]
    header, row = _comparison(results, [100_000, 1_000_000])
    assert "100,000" in header and "1,000,000" in header and "ratio" in header
    assert "search customer p95" in row and "1.25×" in row
    assert "1.0/1.0/1.0" in row and "2.0/1.5/1.0" in row


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_in_process_post_benchmark_logs_each_post_and_counts_its_statements(use_code):
    from bench.inprocess import post_in_process
    from complaints.models import Complaint, WebSubmission
    from tests.faults.stack import OwnRedis

    use_code("sovision-it-2016")
    broker = OwnRedis(REDIS_PORT)  # the benchmark flushes its broker: never a shared one
    try:
        url = broker.url.removesuffix("/0") + "/1"  # the bench refuses to flush db 0
        figures = {f.name: f.value for f in post_in_process(Figure, posts=3, redis_url=url)}
    finally:
        broker.stop()
    # the child process's POSTs were real: warm-up, measured and the counted one, all logged
    assert figures["POSTs"] == 3
    assert Complaint.objects.filter(customer__email__startswith="inprocess").count() == 30 + 3 + 1
    assert set(WebSubmission.objects.values_list("state", flat=True)) == {"accepted"}
    assert 0 < figures["POST CPU p50"] and 0 < figures["POST wall p50"]
    assert 5 <= figures["POST statements"] <= 12


def test_a_run_restores_what_a_killed_seed_dropped_before_it_migrates(monkeypatch):
    import django.core.management

    import bench.run
    import bench.seed_schema

    calls: list[str] = []
    monkeypatch.setattr(bench.seed_schema, "schema_restore", lambda say: calls.append("restore"))
    monkeypatch.setattr(
        django.core.management, "call_command", lambda name, **kwargs: calls.append(name)
    )
    monkeypatch.setitem(bench.run.BENCHMARKS, "noop", lambda args: calls.append("noop") or [])
    assert bench.run.main(["--size", "10", "--only", "noop"]) == 0
    assert calls == ["restore", "migrate", "noop"]
