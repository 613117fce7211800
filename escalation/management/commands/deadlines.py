"""What-if calculator: the clocks a complaint would have, as one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.choices import Category, Channel, LetterReason, Nation
from escalation.forms import WhatIfForm, clocks_as_json


class Command(BaseCommand):
    help = "Print the clocks a complaint would have under a code of practice (any date works)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="code slug, e.g. infinity-group-2016")
        parser.add_argument("--channel", required=True, choices=Channel.values)
        parser.add_argument("--received", required=True, help="ISO-8601 instant")
        parser.add_argument("--nation", default=Nation.ENG, choices=Nation.values)
        parser.add_argument("--category", default=Category.OTHER, choices=Category.values)
        parser.add_argument("--employees", help="business head-count; omit for a consumer")
        parser.add_argument("--letter-date", help="YYYY-MM-DD of our deadlock / ADR letter")
        parser.add_argument(
            "--letter-reason",
            choices=LetterReason.values,
            help="what the letter was for: deadlock (default) or adr_period",
        )
        parser.add_argument("--responded", help="ISO-8601 instant of our response")
        parser.add_argument("--escalated", help="ISO-8601 instant of the escalation")
        parser.add_argument(
            "--letter-asked", help="ISO-8601 instant the customer asked for the letter"
        )
        parser.add_argument("--resolution-actioned", help="ISO-8601 instant")

    def handle(self, *args: Any, **options: Any) -> None:
        form = WhatIfForm(
            data={
                "code": options["code"],
                "channel": options["channel"],
                "received": options["received"],
                "nation": options["nation"],
                "category": options["category"],
                "employees": options["employees"] or "",
                "letter_date": options["letter_date"] or "",
                "responded": options["responded"] or "",
                "resolution_actioned": options["resolution_actioned"] or "",
                "letter_reason": options["letter_reason"] or "",
                "escalated": options["escalated"] or "",
                "letter_asked": options["letter_asked"] or "",
            }
        )
        if not form.is_valid():
            problems = [
                f"--{field.replace('_', '-')}: {message}" if field != "__all__" else message
                for field, messages in form.errors.items()
                for message in messages
            ]
            raise CommandError("; ".join(problems))
        try:
            clocks = form.compute()
        except (ValidationError, ValueError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(json.dumps(clocks_as_json(clocks)))
