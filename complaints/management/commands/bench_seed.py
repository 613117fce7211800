"""`manage.py bench_seed --complaints N`: bench data in bulk (the work is in bench/seed.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from bench.seed import bench_seed


def _instant(value: str) -> datetime.datetime:
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time with an offset")
    return parsed


class Command(BaseCommand):
    help = (
        "Top the database up to N complaints of realistic bench data (customers, staff, clocks, "
        "timelines) spread over the 18 months before --now. Re-running with the same N adds "
        "nothing. Uses PostgreSQL COPY; other databases get bulk_create."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--complaints", type=int, required=True, help="Total complaints wanted."
        )
        parser.add_argument("--batch", type=int, default=20_000, help="Complaints per COPY batch.")
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed (deterministic data)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Builder processes beside the copy (default: one per core, at most 4).",
        )
        parser.add_argument(
            "--now",
            type=_instant,
            default=None,
            help="The instant the data ends at, e.g. 2026-11-02T10:00:00+00:00 (default: now).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["complaints"] < 0 or options["batch"] < 1 or (options["workers"] or 1) < 1:
            raise CommandError("--complaints must be 0 or more, --batch and --workers at least 1.")
        report = bench_seed(
            complaints=options["complaints"],
            now=options["now"],
            seed=options["seed"],
            batch=options["batch"],
            workers=options["workers"],
            progress=self.stdout.write,
        )
        for line in report.lines():
            self.stdout.write(line)
