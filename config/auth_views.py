"""Sign-in's neighbours that need a guard of their own: the password-reset form is rate limited
per address asked for and per client, so it cannot be used to flood someone's inbox.

(Sign-in itself, the site's and the admin's, is throttled by django-axes: settings AXES_*.)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from complaints.workflows.rate_limits import client_key_make, rate_limits_hit, subject_key_make


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        now = timezone.now()
        spec = settings.REDRESS_PASSWORD_RESET_LIMIT
        email = form.cleaned_data["email"]
        over = rate_limits_hit(
            [
                ("reset:email", subject_key_make(email), spec),
                ("reset:ip", client_key_make(self.request.META.get("REMOTE_ADDR", "")), spec),
            ],
            now=now,
        )
        if any(over):
            # The same answer whether or not the address has an account: it reveals nothing.
            return render(self.request, "registration/password_reset_limited.html", status=429)
        return super().form_valid(form)
