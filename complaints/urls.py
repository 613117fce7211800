from django.urls import path

from complaints.views import public

app_name = "complaints"
urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("welcome/", public.after_login, name="after_login"),
]
