"""The permission matrix: every URL pattern and every admin model and action, for every persona.

Generated from the URL resolver and the admin's registry, so a URL, an admin model or an admin
action that nobody has given an expected answer FAILS this suite until it gets one. (When the
API under /api/v1/ lands, its operations are URL patterns too and need their rows.)

Personas: anonymous, customer A and customer B (portal logins), agent, an agent of another
team, manager, admin (the group, not a superuser) and superuser. Complaint A belongs to
customer A and to the agent's team; every link and id in a URL points at complaint A's things.

To add an entry, add ONE line to the table it belongs to:

- `URLS`: `"namespace:name": (method, expect(...)),` — `expect(default, **persona=status)`
  gives the status for every persona (anonymous may differ by `anonymous=`). URL arguments
  are taken from `ARGUMENTS` by name; a new argument name needs a line there too.
- `ADMIN_MODELS`: `"app_label.model": {persona: "view" | "add" | "none", ...},` — what the
  persona may do with that model in the admin (missing personas: "none"; superuser: all).
  Its changelist/add/change/delete/history URLs are then checked from this row.
- `ADMIN_ACTIONS`: `"app_label.model.action": {personas who may run it},`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from complaints.models import Attachment, Complaint, Letter, StaffProfile
from complaints.tokens import follow_token_make
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

PERSONAS = (
    "anonymous",
    "customer_a",
    "customer_b",
    "agent",
    "other_team_agent",
    "manager",
    "admin",
    "superuser",
)
STAFF = ("agent", "other_team_agent", "manager", "admin", "superuser")
CUSTOMERS = ("customer_a", "customer_b")


def expect(default: int, **overrides: int) -> dict[str, int]:
    """A row: `default` for every persona, except those named."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


def staff_only(ok: int = 200) -> dict[str, int]:
    """The staff console: sign in first; customers are refused."""
    return expect(ok, anonymous=302, customer_a=403, customer_b=403)


def managers_only(ok: int = 200) -> dict[str, int]:
    return expect(ok, anonymous=302, customer_a=403, customer_b=403, agent=403,
                  other_team_agent=403)  # fmt: skip


# -- the table: every URL pattern, by name --------------------------------------------------

URLS: dict[str, tuple[str, dict[str, int]]] = {
    "complaints:home": ("get", expect(200)),
    "complaints:healthz": ("get", expect(200)),
    "complaints:readyz": ("get", expect(200)),
    "complaints:after_login": ("get", expect(302)),
    "complaints:complain": ("get", expect(200)),
    "complaints:thanks": ("get", expect(404)),  # nothing submitted in this session
    "complaints:code_of_practice": ("get", expect(200)),
    "complaints:new_link": ("get", expect(200)),
    # The signed link is the key: whoever holds it sees complaint A, signed in or not.
    "complaints:follow": ("get", expect(200)),
    "complaints:follow_act": ("post", expect(400)),  # an empty form: refused, nothing changed
    "complaints:letter_by_token": ("get", expect(200)),
    "complaints:my_complaints": ("get", expect(200, anonymous=302)),
    # Only customer A's portal login sees complaint A; everyone else gets the same 404.
    "complaints:my_complaint": ("get", expect(404, anonymous=302, customer_a=200)),
    "complaints:my_complaint_act": ("post", expect(404, anonymous=302, customer_a=400)),
    "complaints:my_letter": ("get", expect(404, anonymous=302, customer_a=200)),
    "staff:queue": ("get", staff_only()),
    "staff:bulk_assign": ("post", managers_only(302)),
    "staff:complaint": ("get", staff_only()),
    "staff:act": ("post", staff_only(400)),
    "staff:attachment": ("get", staff_only()),
    "staff:log": ("get", staff_only()),
    "staff:letter": ("get", staff_only()),
    "login": ("get", expect(200)),
    "logout": ("post", expect(302)),
    "password_change": ("get", expect(200, anonymous=302)),
    "password_change_done": ("get", expect(200, anonymous=302)),
    "password_reset": ("get", expect(200)),
    "password_reset_done": ("get", expect(200)),
    "password_reset_confirm": ("get", expect(200)),  # an invalid link: says so
    "password_reset_complete": ("get", expect(200)),
    # The admin's own pages (model pages are checked from ADMIN_MODELS below).
    "admin:index": ("get", expect(200, anonymous=302, customer_a=302, customer_b=302)),
    "admin:login": ("get", expect(200, customer_a=200, customer_b=200, agent=302,
                                  other_team_agent=302, manager=302, admin=302, superuser=302)),
    "admin:logout": ("post", expect(302)),
    # A customer's login: admins may set its password; a staff account's is a superuser's.
    "admin:auth_user_password_change": (
        "get", expect(403, anonymous=302, customer_a=302, customer_b=302, admin=200, superuser=200)
    ),
    "admin:password_change": ("get", expect(200, anonymous=302, customer_a=302, customer_b=302)),
    "admin:password_change_done": (
        "get", expect(200, anonymous=302, customer_a=302, customer_b=302)
    ),
    "admin:autocomplete": ("get", expect(403, anonymous=302, customer_a=302, customer_b=302)),
    "admin:jsi18n": ("get", expect(200, anonymous=302, customer_a=302, customer_b=302)),
    "admin:view_on_site": ("get", expect(404, anonymous=302, customer_a=302, customer_b=302)),
    "admin:app_list": ("get", expect(200, anonymous=302, customer_a=302, customer_b=302)),
    "admin:escalation_codeversion_what_if": (
        "get", expect(200, anonymous=302, customer_a=302, customer_b=302)
    ),
    "admin:escalation_codeversion_draft": (
        "post", expect(302, anonymous=302, customer_a=302, customer_b=302)
    ),
    "admin:escalation_codeversion_publish": (
        "get", expect(302, anonymous=302, customer_a=302, customer_b=302)
    ),
    "admin:complaints_customer_portal_link": (
        "get", expect(403, anonymous=302, customer_a=302, customer_b=302, admin=200, superuser=200)
    ),
}  # fmt: skip

# What each URL argument is, by name: complaint A's things.
ARGUMENTS: dict[str, Any] = {
    "reference": lambda w: w.complaint.reference,
    "token": lambda w: w.token,
    "action": lambda w: "customer_add_information" if w.customer_side else "acknowledge",
    "letter_id": lambda w: w.letter.pk,
    "attachment_id": lambda w: w.attachment.pk,
    "queue": lambda w: "all",
    "channel": lambda w: "phone",
    "uidb64": lambda w: "MQ",
    "token_reset": lambda w: "set-password",
    "pk": lambda w: w.code_version.pk,
    "app_label": lambda w: "complaints",
    "content_type_id": lambda w: 1,
    "object_id": lambda w: 1,
    "id": lambda w: w.users["customer_a"].pk,
    # "<url name>/<argument>" when one URL's argument means something else.
    "admin:complaints_customer_portal_link/pk": lambda w: w.complaint.customer_id,
}

# -- the admin's registry --------------------------------------------------------------------

VIEW, ADD, NONE = "view", "add", "none"
ADMIN_MODELS: dict[str, dict[str, str]] = {
    "complaints.customer": {"agent": ADD, "other_team_agent": ADD, "manager": ADD, "admin": ADD},
    "complaints.complaint": {"agent": VIEW, "other_team_agent": VIEW, "manager": VIEW,
                             "admin": VIEW},
    "complaints.timelineevent": {"agent": VIEW, "other_team_agent": VIEW, "manager": VIEW,
                                 "admin": VIEW},
    "complaints.staffprofile": {"admin": ADD},
    "complaints.auditentry": {"manager": VIEW, "admin": VIEW},
    "complaints.websubmission": {"manager": VIEW, "admin": VIEW},
    "complaints.letter": {"manager": VIEW, "admin": VIEW},
    "escalation.codeofpractice": {"manager": VIEW, "admin": ADD},
    "escalation.codeversion": {"agent": VIEW, "other_team_agent": VIEW, "manager": VIEW,
                               "admin": ADD},
    "notifications.outboxmessage": {"agent": VIEW, "other_team_agent": VIEW, "manager": VIEW,
                                    "admin": VIEW},
    "auth.user": {"admin": ADD},
    "auth.group": {"admin": VIEW},
    "django_celery_beat.periodictask": {"admin": VIEW},
    "django_celery_beat.intervalschedule": {},
    "django_celery_beat.crontabschedule": {},
    "django_celery_beat.solarschedule": {},
    "django_celery_beat.clockedschedule": {},
    "axes.accessattempt": {"admin": VIEW},
    "axes.accesslog": {"admin": VIEW},
    "axes.accessfailurelog": {},
}  # fmt: skip

# Evidence and records: nobody adds or deletes them in the admin, not even a superuser.
READ_ONLY_MODELS = frozenset({
    "complaints.complaint", "complaints.timelineevent", "complaints.auditentry",
    "complaints.websubmission", "complaints.letter", "notifications.outboxmessage",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
})  # fmt: skip

ADMIN_ACTIONS: dict[str, set[str]] = {
    # Read-only models offer "delete selected" to nobody.
    "complaints.complaint.delete_selected": set(),
    "complaints.timelineevent.delete_selected": set(),
    "complaints.auditentry.delete_selected": set(),
    "complaints.websubmission.delete_selected": set(),
    "complaints.letter.delete_selected": set(),
    "notifications.outboxmessage.delete_selected": set(),
    "complaints.customer.delete_selected": {"superuser"},
    "complaints.staffprofile.delete_selected": {"superuser"},
    "complaints.websubmission.release": {"manager", "admin", "superuser"},
    "escalation.codeofpractice.make_current": {"admin", "superuser"},
    "escalation.codeofpractice.delete_selected": {"superuser"},
    "escalation.codeversion.delete_selected": {"admin", "superuser"},
    "notifications.outboxmessage.retry": {"admin", "superuser"},
    "auth.user.delete_selected": {"superuser"},
    "auth.group.delete_selected": {"superuser"},
    "django_celery_beat.periodictask.delete_selected": {"superuser"},
    "django_celery_beat.periodictask.enable_tasks": {"admin", "superuser"},
    "django_celery_beat.periodictask.disable_tasks": {"admin", "superuser"},
    "django_celery_beat.periodictask.toggle_tasks": {"admin", "superuser"},
    "django_celery_beat.periodictask.run_tasks": {"admin", "superuser"},
    "django_celery_beat.intervalschedule.delete_selected": {"superuser"},
    "django_celery_beat.crontabschedule.delete_selected": {"superuser"},
    "django_celery_beat.solarschedule.delete_selected": {"superuser"},
    "django_celery_beat.clockedschedule.delete_selected": {"superuser"},
    "axes.accessattempt.delete_selected": {"admin", "superuser"},
    "axes.accessattempt.cleanup_expired_attempts": {"admin", "superuser"},
    "axes.accesslog.delete_selected": {"superuser"},
    "axes.accessfailurelog.delete_selected": {"superuser"},
}

_MODEL_PAGE = re.compile(r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_"
                         r"(?P<page>changelist|add|change|delete|history)$")  # fmt: skip


def url_patterns(
    patterns: list[Any] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """(qualified name, route) for every named pattern the resolver knows."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def admin_model_label(name: str) -> str | None:
    match = _MODEL_PAGE.match(name)
    if match is None:
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (match["app"], match["model"]):
            return model._meta.label_lower
    return None


# -- the world the matrix runs in -------------------------------------------------------------


@dataclass
class World:
    complaint: Complaint
    token: str
    letter: Letter
    attachment: Attachment
    code_version: Any
    users: dict[str, Any]
    customer_side: bool = True


@pytest.fixture
def world(db, now, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    a_login, b_login = UserFactory(username="carys"), UserFactory(username="oscar")
    customer_a = CustomerFactory(name="Carys Jones", portal_user=a_login)
    CustomerFactory(name="Oscar Smith", portal_user=b_login)
    agent = UserFactory(username="agent", groups=["agent"], is_staff=True)
    other = UserFactory(username="other_agent", groups=["agent"], is_staff=True)
    StaffProfile.objects.create(user=agent, department="technical")
    StaffProfile.objects.create(user=other, department="accounts")
    complaint = ComplaintFactory(customer=customer_a, now=now, assigned_to=agent,
                                 department="technical")  # fmt: skip
    letter = Letter.objects.create(complaint=complaint, kind="deadlock", dated=now.date(),
                                   body="Our final position.", state=Letter.State.READY,
                                   sha256="0" * 64)  # fmt: skip
    letter.pdf.save("letter.pdf", ContentFile(b"%PDF-1.7 letter"))
    attachment = Attachment(complaint=complaint, original_name="bill.pdf",
                            content_type="application/pdf", size=8, sha256="0" * 64)  # fmt: skip
    attachment.file.save("bill.pdf", ContentFile(b"%PDF-1.7"))
    from escalation.models import CodeVersion

    users = {
        "anonymous": None,
        "customer_a": a_login,
        "customer_b": b_login,
        "agent": agent,
        "other_team_agent": other,
        "manager": UserFactory(username="manager", groups=["manager"], is_staff=True),
        "admin": UserFactory(username="admin_staff", groups=["admin"], is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    return World(
        complaint=complaint,
        token=follow_token_make(complaint),
        letter=letter,
        attachment=attachment,
        code_version=CodeVersion.objects.filter(status="published").first(),
        users=users,
    )


def url_for(name: str, route: str, world: World) -> str:
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
    kwargs = {}
    for argument in arguments:
        key = "token_reset" if (argument == "token" and "reset" in name) else argument
        world.customer_side = not name.startswith("staff:")
        kwargs[argument] = ARGUMENTS.get(f"{name}/{argument}", ARGUMENTS[key])(world)
    return reverse(name, kwargs=kwargs)


def client_for(world: World, persona: str) -> Client:
    client = Client()
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    return client


# -- the tests -------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    missing = [
        name for name, _ in url_patterns() if name not in URLS and admin_model_label(name) is None
    ]
    assert missing == [], f"add a row to URLS in {__file__} for: {missing}"


def test_every_url_argument_has_a_value():
    names = {arg for _, route in url_patterns() for arg in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    assert names - set(ARGUMENTS) - {"token"} == set()


def test_every_admin_model_has_a_row():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - set(ADMIN_MODELS) == set(), "add rows to ADMIN_MODELS"
    assert set(ADMIN_MODELS) - registered == set(), "ADMIN_MODELS names a model not registered"


def test_every_admin_action_declares_permissions_and_has_a_row():
    found = set()
    for model, model_admin in admin.site._registry.items():
        for func, name, _ in model_admin._get_base_actions():
            assert hasattr(func, "allowed_permissions"), f"{model._meta.label}.{name}"
            found.add(f"{model._meta.label_lower}.{name}")
    assert found - set(ADMIN_ACTIONS) == set(), "add rows to ADMIN_ACTIONS"
    assert set(ADMIN_ACTIONS) - found == set(), "ADMIN_ACTIONS names an action that is gone"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_table_says(world, persona):
    client = client_for(world, persona)
    wrong = []
    for name, route in url_patterns():
        if name not in URLS:
            continue  # reported by test_every_url_pattern_has_a_row
        method, row = URLS[name]
        url = url_for(name, route, world)
        response = getattr(client, method)(url)
        if response.status_code != row[persona]:
            wrong.append(f"{method.upper()} {url} ({name}): {response.status_code}, "
                         f"expected {row[persona]}")  # fmt: skip
        if name in ("logout", "admin:logout"):
            client = client_for(world, persona)  # signed out: sign back in
    assert not wrong, "\n".join(wrong)


def _admin_level(label: str, persona: str) -> str:
    if persona == "superuser":
        return VIEW if label in READ_ONLY_MODELS else ADD
    return ADMIN_MODELS[label].get(persona, NONE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_model_pages_answer_each_persona_as_the_table_says(world, persona):
    client = client_for(world, persona)
    wrong = []
    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        level = _admin_level(label, persona)
        if persona in ("anonymous", *CUSTOMERS):
            expected = {"changelist": 302, "add": 302}
        else:
            expected = {
                "changelist": 200 if level in (VIEW, ADD) else 403,
                "add": 200 if level == ADD else 403,
            }
        for page, status in expected.items():
            url = reverse(f"admin:{info[0]}_{info[1]}_{page}")
            got = client.get(url).status_code
            if got != status:
                wrong.append(f"{url}: {got}, expected {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p in STAFF])
def test_admin_actions_are_offered_only_to_those_the_table_names(world, persona):
    request = RequestFactory().get("/admin/")
    request.user = world.users[persona]
    wrong = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            offered = set()
        else:
            offered = set(model_admin.get_actions(request))
        for name in {n for _, n, _ in model_admin._get_base_actions()}:
            key = f"{model._meta.label_lower}.{name}"
            allowed = persona in ADMIN_ACTIONS.get(key, set())
            if (name in offered) != allowed:
                wrong.append(f"{key}: offered={name in offered}, expected {allowed}")
    assert not wrong, "\n".join(wrong)
