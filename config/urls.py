"""The site's URLs: the admin, sign-in, the staff console (/staff/) and the customer side."""

from django.contrib import admin
from django.urls import include, path

from config.auth_views import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before the stock auth URLs, so it replaces their password_reset (rate limited).
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", include("complaints.staff.urls")),
    path("", include("complaints.portal.urls")),
]
