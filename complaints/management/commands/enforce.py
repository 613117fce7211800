"""Run every beat job (or the named ones) once as of an instant; print counts per job as JSON."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from complaints.workflows.enforcement.jobs import JOBS, UnknownJob, enforce
from escalation.forms import IsoInstantField


class Command(BaseCommand):
    help = "Run the enforcement jobs (reminders, breaches, auto-close, ADR, …) once, draining each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO-8601 instant to act as of (default: now)")
        parser.add_argument(
            "--job", action="append", dest="jobs", metavar="NAME",
            help=f"only this job (repeatable): {', '.join(JOBS)}",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = IsoInstantField().clean(options["now"])
            except forms.ValidationError as exc:
                raise CommandError(f"--now: {' '.join(exc.messages)}", returncode=2) from exc
        try:
            counts = enforce(now=now, jobs=options["jobs"])
        except UnknownJob as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(counts))
