from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
