"""What would happen to a complaint under this code? Prints one JSON object; changes nothing."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaints.workflows.simulator import (
    EVENT_KINDS,
    ScriptedEvent,
    SimulationError,
    complaint_simulate,
)
from escalation.choices import Category, Channel, Nation
from escalation.forms import IsoInstantField
from escalation.models import CodeVersion
from escalation.selectors import NoCodeInForce, code_version_in_force


def _instant(value: str, option: str) -> Any:
    try:
        return IsoInstantField().clean(value)
    except forms.ValidationError as exc:
        raise CommandError(f"{option}: {' '.join(exc.messages)}", returncode=2) from exc


class Command(BaseCommand):
    help = (
        "Simulate one complaint under a code: scripted events, then the real beat jobs at every "
        "instant they would act, inside a transaction that is rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="code slug, e.g. sovision-it-2016")
        parser.add_argument(
            "--code-version",
            type=int,
            help="version number (drafts too); default: the one in force",
        )
        parser.add_argument("--channel", required=True, choices=Channel.values)
        parser.add_argument("--received", required=True, help="ISO-8601 instant")
        parser.add_argument("--first-made", help="ISO-8601 instant (default: --received)")
        parser.add_argument("--nation", default=Nation.ENG, choices=Nation.values)
        parser.add_argument("--category", default=Category.OTHER, choices=Category.values)
        parser.add_argument("--employees", type=int, help="business head-count; omit: consumer")
        parser.add_argument(
            "--event", action="append", default=[], metavar="ISO8601=KIND",
            help=f"a scripted event (repeatable); KIND one of: {', '.join(EVENT_KINDS)}",
        )  # fmt: skip
        parser.add_argument("--until", required=True, help="ISO-8601 instant to stop at")

    def handle(self, *args: Any, **options: Any) -> None:
        received = _instant(options["received"], "--received")
        until = _instant(options["until"], "--until")
        first_made = (
            _instant(options["first_made"], "--first-made") if options["first_made"] else None
        )
        events = []
        for raw in options["event"]:
            when, sep, kind = raw.rpartition("=")
            if not sep or not when:
                raise CommandError(f"--event {raw!r}: write it as ISO8601=KIND.", returncode=2)
            events.append(ScriptedEvent(at=_instant(when, f"--event {raw!r}"), kind=kind))
        version = self._version(options["code"], options["code_version"], first_made or received)
        try:
            result = complaint_simulate(
                version=version, channel=options["channel"], received=received, until=until,
                first_made=first_made, nation=options["nation"], category=options["category"],
                employees=options["employees"], events=events,
            )  # fmt: skip
        except SimulationError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(result))

    def _version(self, slug: str, number: int | None, at: Any) -> CodeVersion:
        versions = CodeVersion.objects.filter(code__slug=slug)
        if not versions.exists():
            known = ", ".join(
                CodeVersion.objects.values_list("code__slug", flat=True).distinct().order_by()
            )
            raise CommandError(f"Unknown code {slug!r}. Known codes: {known}.", returncode=2)
        if number is not None:
            version = versions.filter(number=number).first()
            if version is None:
                raise CommandError(f"{slug} has no version {number}.", returncode=2)
            return version
        try:
            return code_version_in_force(at=at, code=versions.first().code)
        except NoCodeInForce as exc:
            raise CommandError(str(exc), returncode=2) from exc
