"""The site's URLs: the admin, sign-in, the staff console (/staff/), the API (/api/) and the
customer side."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.auth_views import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before the stock auth URLs, so it replaces their password_reset (rate limited).
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", include("complaints.staff.urls")),
    path("api/v1/", include("complaints.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("complaints.portal.urls")),
]
