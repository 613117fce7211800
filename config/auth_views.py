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

from complaints.workflows.rate_limits import client_key_make, rate_limit_hit, subject_key_make


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        now = timezone.now()
        spec = settings.REDRESS_PASSWORD_RESET_LIMIT
        email = form.cleaned_data["email"]
        over_email = rate_limit_hit(
            scope="reset:email", subject=subject_key_make(email), spec=spec, now=now
        )
        over_ip = rate_limit_hit(
            scope="reset:ip",
            subject=client_key_make(self.request.META.get("REMOTE_ADDR", "")),
            spec=spec,
            now=now,
        )
        if over_email or over_ip:
            # The same answer whether or not the address has an account: it reveals nothing.
            return render(self.request, "registration/password_reset_limited.html", status=429)
        return super().form_valid(form)
