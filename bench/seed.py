"""Bench data: a realistic load of complaints, written fast, with clocks from the real rules.

`bench_seed(complaints=N)` tops the database up to N complaints (re-running adds nothing) spread
over the 18 months before `now`: customers (about one per three complaints), staff, complaints
whose status fits their age, and each complaint's opening timeline. Every clock comes from
`escalation.clocks.compute_clocks` with the rules of the code version in force when the complaint
was first made, as `complaint_create` sets them.

Speed, on PostgreSQL:

* each batch is one `COPY ... FROM STDIN` per table from an in-memory TSV buffer;
* forked builder processes make the next batches while this one copies the last, so Python
  and PostgreSQL share the cores (building rows costs more CPU than copying them);
* clocks are memoised exactly (`ClockMemo`); instants sit on a 5-minute grid so they repeat.

Memory stays bounded whatever the size: references come from a bijection instead of a set of
those taken, the memo and the date spellings forget when full, and batches are built and spooled
to temporary files a chunk at a time.

This module runs the seed; the rest of the seeder is beside it: `seed_data` (what the data
looks like), `seed_clocks` (the clock memo), `seed_build` (building a batch, in the builders),
`seed_copy` (spelling and copying it) and `seed_schema` (the foreign keys and indexes a big seed
drops and restores).
"""

from __future__ import annotations

import contextlib
import datetime
import math
import multiprocessing
import os
import random
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.utils import timezone

from bench.seed_build import Builder, Code, Version
from bench.seed_clocks import ClockMemo
from bench.seed_copy import SEEDED_TABLES, CopyWriter, Payload, TableLoad
from bench.seed_data import (
    AGENTS,
    CURRENT_CODE_SHARE,
    FIRST_NAMES,
    HISTORY_DAYS,
    MANAGERS,
    SURNAMES,
)
from bench.seed_schema import FOREIGN_KEY, schema_drop, schema_restore
from complaints.models import (
    Complaint,
    Customer,
    Department,
    StaffProfile,
)
from complaints.models.reports import ReportReceived
from complaints.rollups import rollups_fold
from complaints.services import _REFERENCE_ALPHABET
from escalation.models import CodeOfPractice, CodeVersion, EscalationTier
from escalation.selectors import code_rules, code_version_in_force

Progress = Callable[[str], None]


def _rollups_count_all(complaints: int) -> bool:
    """Whether the desk's rollups count every complaint (their total rows, a few per day): not
    so after a deferred seed that was killed before its rebuild. Changes still pending
    (migration 0021) are counted first."""
    rollups_fold()
    counted = ReportReceived.objects.filter(total=True).aggregate(n=Sum("n"))["n"] or 0
    return counted == complaints


def _rollups_defer_end() -> None:
    with connection.cursor() as cursor:
        cursor.execute("RESET redress.report_rollups")


def _rollups_rebuild(say: Progress) -> float:
    """Count every complaint into the desk's rollups again (the triggers were deferred). It
    holds a SHARE lock on the complaints meanwhile: other writers wait for it."""
    say("bench_seed: rebuilding the desk's rollups from the complaints")
    began = time.perf_counter()
    _rollups_defer_end()
    with connection.cursor() as cursor:
        cursor.execute("SELECT complaints_report_rebuild()")
    return time.perf_counter() - began


@dataclass
class SeedReport:
    before: int
    after: int
    seconds: float = 0.0
    build_seconds: float = 0.0
    analyze_seconds: float = 0.0
    rollups_seconds: float | None = None  # the rebuild, when the triggers were deferred
    rollups_fold_seconds: float = 0.0  # counting the triggers' pending rows, when not
    keys_dropped: int = 0  # foreign keys dropped for the copy (bench/seed_schema.py)
    indexes_dropped: int = 0  # secondary indexes dropped for the copy
    restore_seconds: float = 0.0  # restoring both (and the rollups' rebuild alongside)
    clocks_computed: int = 0
    clocks_assembled: int = 0
    peak_rss_main: float = 0.0  # MiB, this process
    peak_rss_builders: float = 0.0  # MiB, the largest builder process
    tables: dict[str, TableLoad] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return self.after - self.before

    def lines(self) -> list[str]:
        if not self.created:
            return [f"bench_seed: {self.after:,} complaints already; nothing to do."]
        out = [
            f"bench_seed: {self.created:,} complaints in {self.seconds:.1f} s "
            f"({self.created / self.seconds:,.0f} complaints/s); {self.after:,} in total",
        ]
        for name, load in self.tables.items():
            size = f"{load.bytes / 2**20:,.1f} MiB" if load.bytes is not None else "size n/a"
            out.append(
                f"  {name:26} {load.rows:>11,} rows {load.seconds:7.1f} s "
                f"{load.rows_per_second:>11,.0f} rows/s {size:>13}"
            )
        total = self.clocks_computed + self.clocks_assembled
        out.append(
            f"  builders' CPU {self.build_seconds:.1f} s (alongside the copy); clocks: "
            f"{self.clocks_computed:,} computed, {self.clocks_assembled:,} from memo "
            f"({self.clocks_assembled / max(total, 1):.0%}); VACUUM ANALYZE {self.analyze_seconds:.1f} s"
        )
        out.append(
            f"  the desk's rollups: rebuilt once at the end in {self.rollups_seconds:.1f} s"
            if self.rollups_seconds is not None
            else "  the desk's rollups: kept by their triggers on every COPY (a small top-up), "
            f"counted by one fold at the end in {self.rollups_fold_seconds:.1f} s"
        )
        if self.keys_dropped or self.indexes_dropped:
            out.append(
                f"  {self.keys_dropped} foreign keys and {self.indexes_dropped} secondary indexes "
                f"dropped for the copy, restored in {self.restore_seconds:.1f} s (the rollups' "
                "rebuild beside the index builds)"
            )
        out.append(
            f"  peak memory (resident): this process {self.peak_rss_main:,.0f} MiB, the largest "
            f"builder {self.peak_rss_builders:,.0f} MiB"
        )
        return out


def staff_ensure() -> tuple[dict[str, list[int]], list[int]]:
    """The bench's agents (by department) and managers, created if missing, as user ids."""
    User = get_user_model()
    agents: dict[str, list[int]] = {}
    managers: list[int] = []
    departments = [d.value for d in Department]
    for role, count in (("agent", AGENTS), ("manager", MANAGERS)):
        group, _ = Group.objects.get_or_create(name=role)
        for n in range(1, count + 1):
            username = f"bench-{role}-{n:02d}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": FIRST_NAMES[(n * 7 + len(role)) % len(FIRST_NAMES)],
                    "last_name": SURNAMES["ENG"][(n * 5 + len(role)) % len(SURNAMES["ENG"])],
                    "is_staff": True,
                    "email": f"{username}@redress.localhost",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            profile, _ = StaffProfile.objects.get_or_create(
                user=user, defaults={"department": departments[n % len(departments)]}
            )
            if role == "agent":
                agents.setdefault(profile.department, []).append(user.pk)
            else:
                managers.append(user.pk)
    return agents, managers


def _codes(now: datetime.datetime) -> tuple[list[Code], dict[int, CodeVersion]]:
    """Each shipped code with its published versions; the provider's current code dominates."""
    current = CodeOfPractice.objects.get(is_current=True)
    others = list(CodeOfPractice.objects.exclude(pk=current.pk).order_by("slug"))
    versions: dict[int, CodeVersion] = {}
    codes = []
    for code in [current, *others]:
        published = list(
            code.versions.filter(status=CodeVersion.Status.PUBLISHED)
            .select_related("code")
            .order_by("effective_from")
        )
        if not published:
            continue
        versions |= {v.pk: v for v in published}
        weight = CURRENT_CODE_SHARE if code == current else (1 - CURRENT_CODE_SHARE) / len(others)
        entry = Code(
            weight, [v.effective_from.timestamp() for v in published], [v.pk for v in published]
        )
        # Builders pick versions by bisecting, without queries: check that agrees with the
        # selector at every boundary before trusting it with a million rows.
        probes = [now - datetime.timedelta(days=HISTORY_DAYS), now]
        for v in published:
            probes += [v.effective_from - datetime.timedelta(seconds=1), v.effective_from]
        for at in probes:
            if entry.version_at(at.timestamp()) != code_version_in_force(at=at, code=code).pk:
                raise RuntimeError(f"bench_seed picks the wrong {code} version at {at}")
        codes.append(entry)
    return codes, versions


class _References:
    """References in reference_generate's format, unique in this run and against existing rows,
    in constant memory.

    The n-th complaint the seeder has ever written (its position: the complaints already there
    plus its place in this run) gets a keyed bijection of n over the 32^8 = 2^40 reference
    bodies, so two positions never share a reference and nothing needs remembering. A
    reference some other writer already holds (the web form's are random; another seed's may
    coincide) is found by one indexed query per batch and replaced by a random fresh one.
    """

    BITS = 40
    MASK = (1 << BITS) - 1

    def __init__(self, seed: str, *, start: int) -> None:
        rng = random.Random(f"{seed}:references")
        # Odd multipliers and xor-shifts are each invertible modulo 2^40: so is their chain.
        self.keys = [rng.getrandbits(self.BITS) | 1 for _ in range(3)]
        self.offset = rng.getrandbits(self.BITS)
        self.rng = rng
        self.position = start

    def _body(self, n: int) -> str:
        x = (n + self.offset) & self.MASK
        for key in self.keys:
            x = (x * key) & self.MASK
            x ^= x >> 19
        return "".join(_REFERENCE_ALPHABET[(x >> shift) & 31] for shift in range(35, -5, -5))

    def take(self, n: int) -> list[str]:
        bodies = [self._body(p) for p in range(self.position, self.position + n)]
        self.position += n
        out = [f"RD-{b[:4]}-{b[4:]}" for b in bodies]
        taken = self._existing(out)
        while taken:
            fresh: dict[int, str] = {}
            for index, reference in enumerate(out):
                if reference in taken:
                    body = "".join(self.rng.choices(_REFERENCE_ALPHABET, k=8))
                    fresh[index] = f"RD-{body[:4]}-{body[4:]}"
            for index, reference in fresh.items():
                out[index] = reference
            # A random replacement could collide too (or repeat another of this batch's).
            taken = self._existing(list(fresh.values()))
            if len(set(out)) != len(out):
                taken |= {r for r in fresh.values() if out.count(r) > 1}
        return out

    @staticmethod
    def _existing(references: list[str]) -> set[str]:
        # complaints_complaint_reference_key (the unique constraint) answers each look-up.
        return set(
            Complaint.objects.filter(reference__in=references).values_list("reference", flat=True)
        )


# What the builders work from: set just before they are forked, so they inherit it.
_WORK: tuple[Builder, CopyWriter, str] | None = None


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started (or since `peak_rss_reset`)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_rss_reset() -> None:
    """Start this process's peak resident memory afresh (Linux; elsewhere nothing happens)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def _build_job(job: tuple[int, list[int], list[int], list[str]]) -> tuple[Payload, tuple]:
    """Build one batch into TSV files for the writer, in a builder process (or thread)."""
    assert _WORK is not None
    builder, writer, directory = _WORK
    began, computed, assembled = time.thread_time(), builder.memo.computed, builder.memo.assembled
    payload = writer.spool(builder, job, directory)
    memo = builder.memo
    return payload, (
        time.thread_time() - began,
        memo.computed - computed,
        memo.assembled - assembled,
        os.getpid(),
        peak_rss_mib(),
    )


def _builders(processes: int) -> Executor:
    """Forked builder processes, so Python and PostgreSQL each get cores; without fork one thread, which still overlaps the copy (psycopg2 releases the GIL)."""
    if processes > 0 and "fork" in multiprocessing.get_all_start_methods():
        # The children inherit this process's database connection but never use it, and a
        # forked child leaves through os._exit(), so nothing of theirs ever reaches the socket.
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-build")


def bench_seed(
    *,
    complaints: int,
    now: datetime.datetime | None = None,
    seed: int = 42,
    batch: int = 20_000,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Top the database up to `complaints` complaints; returns what was loaded and how fast.

    `workers` processes (default one per core, at most 4) build batches while this one copies.
    """
    if complaints < 0 or batch < 1:
        raise ValueError("complaints must be >= 0 and batch >= 1")
    now = now or timezone.now()
    say = progress or (lambda line: None)
    # What an earlier seed dropped and did not restore (it was killed): restore it first.
    schema_restore(say)
    before = Complaint.objects.count()
    report = SeedReport(before=before, after=before)
    to_create = complaints - before
    if to_create <= 0:
        # A seed to this size may have been killed in its rebuild: the rollups would be short.
        if not _rollups_count_all(before):
            report.rollups_seconds = _rollups_rebuild(say)
        return report

    peak_rss_reset()
    began = time.perf_counter()
    agents, managers = staff_ensure()
    codes, versions = _codes(now)
    rules = {pk: code_rules(v) for pk, v in versions.items()}
    tiers: dict[int, dict[int, bool]] = {pk: {} for pk in versions}
    for t in EscalationTier.objects.filter(version__in=versions).values(
        "version", "level", "is_formal"
    ):
        tiers[t["version"]][t["level"]] = t["is_formal"]
    builder = Builder(
        now=now,
        codes=codes,
        versions={
            pk: Version(
                label=str(v),
                tiers=tiers[pk],
                auto_closes=rules[pk].auto_close_working_days is not None,
                adr_scheme=v.adr_scheme_name,
            )
            for pk, v in versions.items()
        },
        memo=ClockMemo(rules),
        agents=agents,
        managers=managers,
        seed=f"{seed}:{before}",
    )
    references = _References(str(seed), start=before)
    writer = CopyWriter()
    sizes = [batch] * (to_create // batch) + ([to_create % batch] if to_create % batch else [])
    workers = workers or min(os.cpu_count() or 1, 4)

    def submit(pool: Executor, number: int) -> Future:
        # Ids and references are handed out here, in order, so every builder's rows are unique.
        n = sizes[number]
        customer_ids = writer.reserve(Customer, math.ceil(n / 3))
        complaint_ids = writer.reserve(Complaint, n)
        return pool.submit(_build_job, (number, customer_ids, complaint_ids, references.take(n)))

    say(
        f"bench_seed: {before:,} complaints present; adding {to_create:,} in {len(sizes)} "
        f"batches of up to {batch:,} ({workers or 'a thread'} building)"
    )
    # A seed that at least doubles the complaints rebuilds the desk's rollups once at the end
    # instead of having the triggers upsert them on every COPY (migration 0020): at 1,000,000
    # the rebuild takes 65-72 s, the triggers about twice that. A smaller top-up keeps them,
    # unless an earlier seed was killed before its rebuild and left them short.
    defer_rollups = to_create >= before or not _rollups_count_all(before)
    # The same rule for the foreign keys and secondary indexes: checked and maintained row by
    # row on every COPY they cost more than the rows themselves; restored once on the finished
    # tables they cost a join or a sort each.
    drop_schema = to_create >= before
    # What a seed that stops before its end leaves to be done again, and how.
    unfinished: list[tuple[str, Callable[[Progress], object]]] = []
    if defer_rollups:
        unfinished.append(("the desk's rollups", _rollups_rebuild))
    if drop_schema:
        unfinished.append(("the dropped foreign keys and indexes", schema_restore))
    global _WORK
    done = 0
    builders_peak: dict[int, float] = {}
    # The batches wait on disk, not in memory (the page cache holds them, not a process).
    spool = tempfile.TemporaryDirectory(prefix="bench-seed-")
    _WORK = (builder, writer, spool.name)
    try:
        if defer_rollups:
            with connection.cursor() as cursor:
                cursor.execute("SET redress.report_rollups = 'deferred'")
        if drop_schema:
            dropped = schema_drop(SEEDED_TABLES)
            report.keys_dropped = sum(kind == FOREIGN_KEY for kind, *_ in dropped)
            report.indexes_dropped = len(dropped) - report.keys_dropped
        with spool, _builders(workers) as pool:
            ahead = max(workers, 1) + 1
            pending = deque(submit(pool, number) for number in range(min(ahead, len(sizes))))
            for number, n in enumerate(sizes):
                payload, stats = pending.popleft().result()
                seconds, computed, assembled, pid, peak = stats
                if number + ahead < len(sizes):
                    pending.append(submit(pool, number + ahead))
                writer.write(payload)
                report.build_seconds += seconds
                report.clocks_computed += computed
                report.clocks_assembled += assembled
                builders_peak[pid] = max(builders_peak.get(pid, 0.0), peak)
                done += n
                elapsed = time.perf_counter() - began
                say(
                    f"  {done:>11,} / {to_create:,} complaints {elapsed:7.1f} s {done / elapsed:9,.0f}/s"
                )
    except Exception:
        # A batch failed: count the ones already committed and restore the schema, each on
        # its own, then report the failure itself (a rebuild that fails too, on a lost
        # connection say, must not hide it).
        for what, restore in unfinished:
            try:
                restore(say)
            except Exception:  # noqa: BLE001 - the first error is the one to see
                say(f"bench_seed: {what} could not be restored; the next seed restores them")
        raise
    except BaseException:  # Ctrl-C: stop now, not after a minute's rebuild
        if defer_rollups:
            with contextlib.suppress(DatabaseError):
                _rollups_defer_end()
        if unfinished:
            left = " and ".join(what for what, _ in unfinished)
            say(f"bench_seed: interrupted; {left} are restored at the start of the next seed")
        raise
    finally:
        _WORK = None
    if drop_schema:  # the rollups are deferred too: their rebuild (one core) runs alongside

        def rebuild() -> None:
            report.rollups_seconds = _rollups_rebuild(say)

        report.restore_seconds = schema_restore(say, alongside=rebuild)
    elif defer_rollups:
        report.rollups_seconds = _rollups_rebuild(say)
    else:  # the triggers appended the copies as pending changes (migration 0021): count them
        folded = time.perf_counter()
        rollups_fold()
        report.rollups_fold_seconds = time.perf_counter() - folded

    report.analyze_seconds = writer.finish()
    report.peak_rss_main = peak_rss_mib()
    report.peak_rss_builders = max(builders_peak.values(), default=0.0)
    report.after = before + to_create
    report.seconds = time.perf_counter() - began
    report.tables = writer.loads
    return report
