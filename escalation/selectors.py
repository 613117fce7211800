"""Reads of codes of practice: which version governs, and its rules as a pure snapshot."""

from __future__ import annotations

import copy
import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection

from escalation.calendar import OfficeHours
from escalation.clocks import ChannelRule, CodeRules
from escalation.models import CodeOfPractice, CodeVersion


class NoCodeInForce(Exception):
    pass


def code_current() -> CodeOfPractice:
    try:
        return CodeOfPractice.objects.get(is_current=True)
    except ObjectDoesNotExist as exc:
        raise NoCodeInForce("No code of practice is marked as the one this provider runs.") from exc


def code_version_in_force(
    *, at: datetime.datetime, code: CodeOfPractice | None = None
) -> CodeVersion:
    """The published version of `code` (default: the provider's) in force at instant `at`.

    Before a code's first version (a provider adopting `ofcom-2026` logs a complaint first made
    in March 2026, or the what-if calculator is asked about 2015) the earliest version governs:
    rules that depend on the date, such as Ofcom's 6-week ADR period, carry that date themselves.
    """
    # One joined query on the hot path (every complaint logged): the code comes along, and
    # "the provider's code" is a join on is_current rather than a query of its own.
    published = CodeVersion.objects.select_related("code").filter(
        status=CodeVersion.Status.PUBLISHED
    )
    published = (
        published.filter(code=code) if code is not None else published.filter(code__is_current=True)
    )
    version = published.filter(effective_from__lte=at).order_by("-effective_from").first()
    if version is None:
        version = published.order_by("effective_from").first()
    if version is None:
        code = code or code_current()
        raise NoCodeInForce(f"{code.slug} has no published version.")
    return version


# -- the provider's versions, kept per process --------------------------------------------------
# Which version governs is read on every complaint logged. A version can be published, or
# another code made current, at any moment by any process, so the copy each process keeps is
# stamped with the generation of the codes it was read at: a trigger bumps that number in the
# same transaction as any change to a code or a version (migration 0008_rules_generation), so
# a caller holding a generation read after the change never gets the copy from before it.
# Callers read the generation inside a statement they send anyway (RULES_GENERATION_SQL).
RULES_GENERATION_SQL = "(SELECT generation FROM escalation_rulesgeneration WHERE id = 1)"
_CURRENT_VERSIONS: dict[str, tuple[int, list[CodeVersion]]] = {}


def rules_generation() -> int | None:
    """The codes' generation now (one small statement), for callers with nothing to fold it in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {RULES_GENERATION_SQL}")  # noqa: S608 - a constant
        (generation,) = cursor.fetchone()
    return generation


def code_version_in_force_at_generation(
    *, at: datetime.datetime, generation: int | None
) -> CodeVersion:
    """`code_version_in_force(at=at)` for the provider's code, without a query when this
    process read the provider's published versions at `generation` (None: always query).

    The version is a copy: callers may hang things on it without touching the process's."""
    if generation is None:
        return code_version_in_force(at=at)
    cached = _CURRENT_VERSIONS.get(connection.alias)
    if cached is None or cached[0] != generation:
        versions = list(
            CodeVersion.objects.select_related("code")
            .filter(status=CodeVersion.Status.PUBLISHED, code__is_current=True)
            .order_by("effective_from", "pk")
        )
        if not versions:
            return code_version_in_force(at=at)  # says why there is none
        cached = _CURRENT_VERSIONS[connection.alias] = (generation, versions)
    versions = cached[1]
    # As code_version_in_force: the latest in force at `at`, else the earliest.
    chosen = versions[0]
    for version in versions:
        if version.effective_from <= at:
            chosen = version
    return copy.copy(chosen)


# Published versions never change (drafts are copied, never edited once published), so their
# rules are built once per process: three queries saved on every complaint logged.
_PUBLISHED_RULES: dict[int, CodeRules] = {}


def code_rules(version: CodeVersion) -> CodeRules:
    """A frozen snapshot of the rules, for the pure clock computation."""
    if version.is_published and version.pk in _PUBLISHED_RULES:
        return _PUBLISHED_RULES[version.pk]
    rules = _code_rules_build(version)
    if version.is_published:
        _PUBLISHED_RULES[version.pk] = rules
    return rules


def code_rules_cache_clear() -> None:
    """For tests that rewrite a published version's rows directly (nothing else may)."""
    _PUBLISHED_RULES.clear()
    _CURRENT_VERSIONS.clear()


def _code_rules_build(version: CodeVersion) -> CodeRules:
    return CodeRules(
        office_hours=OfficeHours(
            opens=version.opens, closes=version.closes, weekdays=frozenset(version.office_weekdays)
        ),
        channels={
            w.channel: ChannelRule(
                acknowledge_working_days=w.acknowledge_working_days,
                respond_working_days=w.respond_working_days,
            )
            for w in version.channel_windows.all()
        },
        resolve_working_days=version.resolve_working_days,
        auto_close_working_days=version.auto_close_working_days,
        adr_period_weeks=version.adr_period_weeks,
        adr_period_applies_from=version.adr_period_applies_from,
        adr_period_weeks_before=version.adr_period_weeks_before,
        refer_by_months_after_letter=version.refer_by_months_after_letter,
        refer_by_months_after_first_made=version.refer_by_months_after_first_made,
        adr_employee_threshold=version.adr_employee_threshold,
        adr_threshold_inclusive=version.adr_threshold_inclusive,
        adr_excluded_categories=frozenset(version.adr_excluded_categories),
        closure_days=frozenset(d.date for d in version.closure_days.all()),
        reminder_working_days_before=version.reminder_working_days_before,
        deadlock_opens_adr=version.deadlock_opens_adr,
        formal_respond_working_days=version.formal_respond_working_days,
        adr_letter_due_working_days=version.adr_letter_due_working_days,
    )
