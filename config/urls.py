"""The site's URLs: the admin, sign-in, the staff console (/staff/) and the customer side."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("staff/", include("complaints.staff.urls")),
    path("", include("complaints.portal.urls")),
]
