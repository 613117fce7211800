"""`make bench`: migrate the bench database, seed it to --size complaints, run the benchmarks.

    DATABASE_URL=postgres://redress@127.0.0.1:5432/redress_bench .venv/bin/python bench/run.py \
        --size 100000,1000000 [--only seed,search] [--seed 42] [--batch 20000] [--workers 2]

Seeding is idempotent: a database that already holds --size complaints is not reseeded, so the
later benchmarks can be re-run cheaply. With several sizes (smallest first) the database is
topped up from one to the next, every benchmark runs at each, and a last table gives each figure
at every size, the ratio of the largest to the smallest, and the load average it ran under. Each benchmark is a function registered in BENCHMARKS
with @benchmark("name"); it gets the parsed arguments and returns the figures it measured.
They run in registration order ("seed" first: the others need its data). To add one (the queue
page's p95, submit throughput, ...), write a function below and decorate it; print numbers,
assert nothing - behaviour belongs in tests/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Never the test database by accident: without DATABASE_URL the bench uses its own.
BENCH_DATABASE_URL = "postgres://redress@127.0.0.1:5432/redress_bench"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str

    def __str__(self) -> str:
        value = f"{self.value:,.0f}" if abs(self.value) >= 100 else f"{self.value:,.2f}"
        return f"{self.name:32} {value:>16} {self.unit}"


Benchmark = Callable[[argparse.Namespace], list[Figure]]
BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        BENCHMARKS[name] = function
        return function

    return register


def _relation_bytes(table: str) -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


@benchmark("seed")
def seed(args: argparse.Namespace) -> list[Figure]:
    """Top the database up to --size complaints with bench/seed.py (COPY on PostgreSQL)."""
    from bench.seed import bench_seed
    from complaints.models import Complaint, Customer, TimelineEvent

    report = bench_seed(
        complaints=args.size,
        seed=args.seed,
        batch=args.batch,
        workers=args.workers,
        progress=lambda line: print(line, flush=True),
    )
    for line in report.lines():
        print(line)
    figures = [Figure("complaints", report.after, "rows")]
    if report.created:
        figures += [
            Figure("seed time", report.seconds, "s"),
            Figure("seed rate", report.created / report.seconds, "complaints/s"),
            Figure("peak RSS, seeding process", report.peak_rss_main, "MiB"),
            Figure("peak RSS, largest builder", report.peak_rss_builders, "MiB"),
        ]
        for name, load in report.tables.items():
            figures.append(Figure(f"copy {name}", load.rows_per_second, "rows/s"))
    else:
        figures.append(Figure("seed time (already seeded)", 0, "s"))
    for model in (Complaint, Customer, TimelineEvent):
        table = model._meta.db_table
        figures.append(Figure(f"size {table}", _relation_bytes(table) / 2**20, "MiB"))
    return figures


@benchmark("pages")
def pages(args: argparse.Namespace) -> list[Figure]:
    """Staff console pages at the seeded size: queue / complaint page p95, queries."""
    from bench.pages import staff_pages

    return staff_pages(Figure)


@benchmark("search")
def search(args: argparse.Namespace) -> list[Figure]:
    """The queue search at the seeded size: by reference, surname, summary word; queries."""
    from bench.pages import staff_search

    return staff_search(Figure)


@benchmark("desk")
def desk(args: argparse.Namespace) -> list[Figure]:
    """The manager's desk: dashboard cold, manager queues p95, a year's CSV, a case file."""
    from bench.desk import managers_desk

    return managers_desk(Figure)


@benchmark("submit")
def submit(args: argparse.Namespace) -> list[Figure]:
    """The public form under gunicorn over loopback: submissions/s, POST p50/p95, nothing lost."""
    from bench.submit import submit_throughput

    return submit_throughput(
        Figure,
        servers=args.submit_server,
        modes=args.submit_mode,
        users=args.submit_users,
        seconds=args.submit_seconds,
        warmup=args.submit_warmup,
        follow=args.submit_follow,
        redis_url=args.submit_redis,
        say=lambda line: print(line, flush=True),
    )


@benchmark("post")
def post(args: argparse.Namespace) -> list[Figure]:
    """One public-form POST in process, production settings: CPU, wall, statements (WRITES)."""
    from bench.inprocess import post_in_process

    return post_in_process(Figure, redis_url=args.submit_redis)


@benchmark("enforce")
def enforce(args: argparse.Namespace) -> list[Figure]:
    """Every beat job with nothing due, then 10,000 due clocks end to end (WRITES: use a copy)."""
    from bench.enforce import enforcement_bench

    names = [n.strip() for n in (args.enforce_databases or "").split(",") if n.strip()]
    return enforcement_bench(Figure, names)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size or list of sizes: {text!r}") from None
    if not sizes or sizes[0] < 0:
        raise argparse.ArgumentTypeError("sizes are numbers of complaints, 0 or more")
    return sizes


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


Result = tuple[int, str, list[Figure], str]  # size, benchmark, its figures, load average after


def _comparison(results: list[Result], sizes: list[int]) -> list[str]:
    """Each figure at every size, the ratio largest / smallest, and the load it ran under."""
    table: dict[tuple[str, str], dict[int, tuple[Figure, str]]] = {}
    for size, name, figures, load in results:
        for figure in figures:
            table.setdefault((name, figure.name), {})[size] = (figure, load)
    head = "".join(f"{f'{size:,}':>24}" for size in sizes)
    lines = [f"{'':8} {'figure':32}{head} {'ratio':>7}  unit   (load average 1/5/15 min)"]
    for (name, label), by_size in table.items():
        cells, unit = "", ""
        for size in sizes:
            if size in by_size:
                figure, load = by_size[size]
                value = (
                    f"{figure.value:,.0f}" if abs(figure.value) >= 100 else f"{figure.value:,.2f}"
                )
                cells += f"{value:>10} ({load:>11})"
                unit = figure.unit
            else:
                cells += f"{'—':>24}"
        low, high = by_size.get(sizes[0]), by_size.get(sizes[-1])
        ratio = f"{high[0].value / low[0].value:.2f}×" if low and high and low[0].value else "—"
        lines.append(f"{name:8} {label:32}{cells} {ratio:>7}  {unit}")
    return lines


@benchmark("api")
def api(args: argparse.Namespace) -> list[Figure]:
    """The API's complaint list (50 with clocks) p95 and queries; 1,000 emails taken in."""
    from bench.api import api_list, email_ingest_throughput

    return api_list(Figure) + email_ingest_throughput(Figure)


@benchmark("load")
def load(args: argparse.Namespace) -> list[Figure]:
    """locust, a realistic mix, against gunicorn with the production settings (bench/load.py)."""
    from bench.load import load_test

    return load_test(
        Figure,
        seconds=args.load_seconds,
        users=args.load_users,
        say=lambda line: print(line, flush=True),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        type=_sizes,
        default=[100_000],
        help="Complaints to seed up to; several, comma-separated, are measured in turn.",
    )
    parser.add_argument("--seed", type=int, default=42, help="Random seed for the bench data.")
    parser.add_argument("--batch", type=int, default=20_000, help="Complaints per COPY batch.")
    parser.add_argument("--workers", type=int, default=None, help="Seed builder processes.")
    parser.add_argument(
        "--only",
        default="",
        help=f"Comma-separated benchmarks (default all: {', '.join(BENCHMARKS)}).",
    )
    # Unset options (None) take bench/submit.py's defaults.
    load_group = parser.add_argument_group("load", "locust's mix under gunicorn (bench/load.py).")
    load_group.add_argument("--load-seconds", type=float, default=300, help="Run time (300).")
    load_group.add_argument("--load-users", type=int, default=24, help="Virtual users (24).")
    group = parser.add_argument_group("submit", "The public form under gunicorn (bench/submit.py).")
    group.add_argument("--submit-seconds", type=float, help="Measured run time (30).")
    group.add_argument("--submit-warmup", type=float, help="Unmeasured warm-up first (5).")
    group.add_argument("--submit-users", type=int, help="Concurrent virtual customers (6).")
    group.add_argument(
        "--submit-server",
        help="gunicorn configuration(s), comma-separated, each measured: sync:N or gthread:NxT.",
    )
    group.add_argument(
        "--submit-mode",
        help="journey (GET the form, POST it: a new browser each time) and/or post (the submit "
        "path alone); comma-separated, default both.",
    )
    group.add_argument(
        "--submit-follow",
        action="store_true",
        help="Customers also fetch the thanks page the 303 points to.",
    )
    group.add_argument(
        "--submit-redis",
        default="redis://127.0.0.1:6379/15",
        help="The server's broker and cache, flushed before and after: a database of the "
        "bench's own, never 0 (redis://127.0.0.1:6379/15).",
    )
    group = parser.add_argument_group("enforce", "The beat jobs (bench/enforce.py).")
    group.add_argument(
        "--enforce-databases",
        help="Database names on the same server to measure in turn (copies: it writes), e.g. "
        "redress_bench_copy_100k,redress_bench_copy_1m; default the bench database.",
    )
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from bench.seed_schema import schema_restore

    began = time.perf_counter()
    # Before migrating (a migration may alter them): what a killed seed left dropped.
    schema_restore(lambda line: print(line, flush=True))
    call_command("migrate", interactive=False, verbosity=0)
    database = connection.settings_dict["NAME"]
    print(f"bench: {connection.vendor} {database}, migrated in {time.perf_counter() - began:.1f} s")

    sizes: list[int] = args.size
    results: list[Result] = []
    for size in sizes:
        args.size = size
        for name in BENCHMARKS:
            if name in chosen:
                print(f"\n== {name} at {size:,} complaints", flush=True)
                # Other work on the machine slows every figure: say how busy it was.
                results.append((size, name, BENCHMARKS[name](args), _load()))
        print(f"\n== figures (--size {size:,}, database {database})")
        for _, name, figures, load in (r for r in results if r[0] == size):
            for figure in figures:
                print(f"{name:8} {figure}   (load {load})")
    args.size = sizes
    if len(sizes) > 1:
        print(f"\n== at {' and '.join(f'{s:,}' for s in sizes)} complaints")
        print("\n".join(_comparison(results, sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
