"""The customer side's URLs: home, the public form, following a complaint, the portal, letters."""

from django.urls import path

from complaints.portal.views import complain, follow, home, letters

app_name = "complaints"
urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("readyz", home.readyz, name="readyz"),
    path("welcome/", home.after_login, name="after_login"),
    # Submitting (public_form)
    path("complain/", complain.complain, name="complain"),
    path("complain/thanks/", complain.thanks, name="thanks"),
    path("code-of-practice/", complain.code_of_practice, name="code_of_practice"),
    # Following (follow): by signed link, or signed in with a portal account
    path("follow/new-link/", follow.new_link, name="new_link"),
    path("follow/<str:reference>/<str:token>/", follow.follow, name="follow"),
    path(
        "follow/<str:reference>/<str:token>/act/<str:action>/",
        follow.follow_act,
        name="follow_act",
    ),
    path("my/complaints/", follow.my_complaints, name="my_complaints"),
    path("my/complaints/<str:reference>/", follow.my_complaint, name="my_complaint"),
    path(
        "my/complaints/<str:reference>/act/<str:action>/",
        follow.my_complaint_act,
        name="my_complaint_act",
    ),
    # Letters (letters): the exact PDF we sent
    path(
        "follow/<str:reference>/<str:token>/letters/<int:letter_id>/",
        letters.customer_letter_by_token,
        name="letter_by_token",
    ),
    path(
        "my/complaints/<str:reference>/letters/<int:letter_id>/",
        letters.customer_letter,
        name="my_letter",
    ),
]
