"""`manage.py api_token_create --user USERNAME --name NAME`: print a new API token, once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaints.api_tokens import api_token_create_for_username


class Command(BaseCommand):
    help = "Make an API token for an integration; the token is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the username the token acts as")
        parser.add_argument("--name", required=True, help="which integration uses it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token, key = api_token_create_for_username(
                username=options["user"], name=options["name"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.prefix}… for {token.user.get_username()} ({token.name}). "
            "It is shown only now: store it in the integration's secrets."
        )
        self.stdout.write(key)
