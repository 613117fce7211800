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

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from complaints.models import Attachment, Complaint, Letter, StaffProfile
from complaints.models.integrations import InboundEmail
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


def api_staff_action(ok: int, agents: int | None = None) -> dict[str, int]:
    """A staff lifecycle action over the API: customer A may see the complaint but not do it."""
    more = {} if agents is None else {"agent": agents, "other_team_agent": agents}
    return expect(ok, anonymous=401, customer_a=403, customer_b=404, **more)


def api_customer_action(ok: int) -> dict[str, int]:
    """The customer's own action over the API: customer A only; staff are refused."""
    return expect(403, anonymous=401, customer_a=ok, customer_b=404)


# -- the table: every URL pattern, by name --------------------------------------------------
# "name[argument=value]" is a further row for the same URL with that argument given that value
# (the queue names, say): checked as well as the plain row.

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
    # Managers and admins, as /api/v1/simulate/ ("The simulator is for managers and admins").
    "admin:escalation_codeversion_simulate": (
        "get", expect(403, anonymous=302, customer_a=302, customer_b=302, manager=200, admin=200,
                      superuser=200)
    ),
    "admin:escalation_codeversion_conformance": (
        "get", expect(200, anonymous=302, customer_a=302, customer_b=302)
    ),
    # Without the add permission: back to the conformance page, nothing drafted.
    "admin:escalation_codeversion_draft_conforming": ("post", expect(302)),
    "staff:queue[queue=mine]": ("get", staff_only()),
    "staff:queue[queue=team]": ("get", staff_only()),
    "staff:queue[queue=unassigned]": ("get", staff_only()),
    # The manager's desk queues.
    "staff:queue[queue=escalated]": ("get", managers_only()),
    "staff:queue[queue=breached]": ("get", managers_only()),
    "staff:queue[queue=due_today]": ("get", managers_only()),
    "staff:breach_board": ("get", managers_only()),
    "staff:letters_to_post": ("get", managers_only()),
    "staff:letter_posted": ("post", managers_only(302)),
    "staff:dashboard": ("get", managers_only()),
    "staff:reports": ("get", managers_only()),
    "staff:figures_csv": ("get", managers_only()),
    "staff:summary_pdf": ("get", managers_only()),
    "staff:complaints_csv": ("get", managers_only()),
    "staff:quarterly_csv": ("get", managers_only(400)),  # no quarter given
    "staff:case_file_pdf": ("get", managers_only()),
    "staff:case_file_zip": ("get", managers_only()),
    "staff:alerts": ("get", staff_only()),
    "staff:alerts_read": ("post", staff_only(303)),
    "staff:triage": ("get", staff_only()),
    # Agents and managers triage; anyone else on the staff is told so, and nothing changes.
    "staff:triage_confirm": ("post", staff_only(303)),
    "staff:triage_discard": ("post", staff_only(303)),  # no reason given: refused
    # The API: 401 unsigned; what a signed-in person may see of it is what the portal and
    # the console show them; customer B gets the same 404 as for a complaint that isn't there.
    "api:complaint-list": ("get", expect(200, anonymous=401)),
    "api:complaint-detail": ("get", expect(200, anonymous=401, customer_b=404)),
    "api:complaint-timeline": ("get", expect(200, anonymous=401, customer_b=404)),
    "api:complaint-letters": ("get", expect(200, anonymous=401, customer_b=404)),
    "api:complaint-letter-download": ("get", expect(200, anonymous=401, customer_b=404)),
    "api:complaint-action-acknowledge": ("post", api_staff_action(200)),
    "api:complaint-action-send_update": ("post", api_staff_action(400)),
    "api:complaint-action-record_findings": ("post", api_staff_action(400)),
    "api:complaint-action-propose_resolution": ("post", api_staff_action(400)),
    "api:complaint-action-confirm_remedied": ("post", api_staff_action(400)),
    "api:complaint-action-mark_resolved": ("post", api_staff_action(200)),
    "api:complaint-action-reopen": ("post", api_staff_action(400)),
    "api:complaint-action-escalate": ("post", api_staff_action(400)),
    "api:complaint-action-assign": ("post", api_staff_action(400)),
    "api:complaint-action-customer_replied": ("post", api_staff_action(400)),
    # A manager's: agents are refused.
    "api:complaint-action-issue_deadlock": ("post", api_staff_action(400, agents=403)),
    "api:complaint-action-record_adr_referral": ("post", api_staff_action(200, agents=403)),
    "api:complaint-action-issue_adr_letter": ("post", api_staff_action(400, agents=403)),
    # The customer's own: only customer A; staff are refused.
    "api:complaint-action-customer_add_information": ("post", api_customer_action(400)),
    "api:complaint-action-customer_accept": ("post", api_customer_action(409)),  # nothing proposed
    "api:complaint-action-customer_reject": ("post", api_customer_action(400)),
    "api:complaint-action-customer_request_escalation": ("post", api_customer_action(400)),
    "api:complaint-action-customer_request_deadlock": ("post", api_customer_action(200)),
    "api:customer-list": ("get", expect(200, anonymous=401)),  # a customer: only themself
    "api:customer-detail": ("get", expect(200, anonymous=401, customer_b=404)),
    "api:code-list": ("get", expect(200, anonymous=401)),
    "api:code-versions": ("get", expect(200, anonymous=401)),
    # Only admins edit codes (customer A's published version: a draft from it; publish refused).
    "api:code-version-draft": ("post", expect(403, anonymous=401, admin=201, superuser=201)),
    "api:code-version-publish": ("post", expect(403, anonymous=401, admin=400, superuser=400)),
    "api:deadlines": ("get", expect(400, anonymous=401)),  # nothing asked
    "api:triage-list": ("get", expect(200, anonymous=401, customer_a=403, customer_b=403)),
    # Agents and managers triage; the admin role is refused.
    "api:triage-confirm": (
        "post", expect(200, anonymous=401, customer_a=403, customer_b=403, admin=403)
    ),
    "api:triage-discard": (  # no reason given
        "post", expect(400, anonymous=401, customer_a=403, customer_b=403)
    ),
    "api:alert-list": ("get", expect(200, anonymous=401, customer_a=403, customer_b=403)),
    "api:alert-mark-read": ("post", expect(200, anonymous=401, customer_a=403, customer_b=403)),
    "api:simulate": (  # managers and admins; nothing given
        "post", expect(403, anonymous=401, manager=400, admin=400, superuser=400)
    ),
    "api:not-found": ("get", expect(404)),
    # The contract is public (it describes the API, holds nobody's data).
    "api-schema": ("get", expect(200)),
    "api-docs": ("get", expect(200)),
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
    "slug": lambda w: w.code_version.code.slug,
    "inbound_id": lambda w: w.inbound.pk,
    # "<url name>/<argument>" when one URL's argument means something else.
    "admin:complaints_customer_portal_link/pk": lambda w: w.complaint.customer_id,
    "api:customer-detail/pk": lambda w: w.complaint.customer_id,
    "api:triage-confirm/pk": lambda w: w.inbound.pk,
    "api:triage-discard/pk": lambda w: w.inbound.pk,
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
    "complaints.rootcause": {"manager": VIEW, "admin": ADD},
    "complaints.apitoken": {"admin": ADD},
    "complaints.inboundemail": {"admin": VIEW},
}  # fmt: skip

# Evidence and records: nobody adds or deletes them in the admin, not even a superuser.
READ_ONLY_MODELS = frozenset({
    "complaints.complaint", "complaints.timelineevent", "complaints.auditentry",
    "complaints.websubmission", "complaints.letter", "notifications.outboxmessage",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "complaints.inboundemail",
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
    "complaints.rootcause.delete_selected": {"superuser"},
    # Tokens are revoked, never deleted; inbound emails are evidence.
    "complaints.apitoken.delete_selected": set(),
    "complaints.apitoken.revoke": {"admin", "superuser"},
    "complaints.inboundemail.delete_selected": set(),
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
    inbound: InboundEmail
    customer_side: bool = True


def _a_real_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


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
    letter.pdf.save("letter.pdf", ContentFile(_a_real_pdf()))  # the case file reads it
    attachment = Attachment(complaint=complaint, original_name="bill.pdf",
                            content_type="application/pdf", size=8, sha256="0" * 64)  # fmt: skip
    attachment.file.save("bill.pdf", ContentFile(b"%PDF-1.7"))
    inbound = InboundEmail.objects.create(  # an email awaiting triage, about complaint A
        received_at=now, raw=b"Subject: My bill", sha256="0" * 64,
        state=InboundEmail.State.TRIAGE, subject="My bill", complaint=complaint,
    )  # fmt: skip
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
        inbound=inbound,
    )


def url_for(name: str, route: str, world: World, given: dict[str, str] | None = None) -> str:
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
    kwargs = {}
    for argument in arguments:
        key = "token_reset" if (argument == "token" and "reset" in name) else argument
        world.customer_side = not name.startswith("staff:")
        kwargs[argument] = ARGUMENTS.get(f"{name}/{argument}", ARGUMENTS[key])(world)
    kwargs.update(given or {})
    return reverse(name, kwargs=kwargs)


_VARIANT = re.compile(r"^(?P<name>[^\[]+)\[(?P<argument>\w+)=(?P<value>[^\]]+)\]$")


def rows_for(name: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The URL's own row, then each "name[argument=value]" row for it."""
    yield name, {}
    for key in URLS:
        match = _VARIANT.match(key)
        if match and match["name"] == name:
            yield key, {match["argument"]: match["value"]}


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


def test_every_queue_has_a_row():
    from complaints.selectors.queue import QUEUES

    named = set(dict(url_patterns()))
    for key in URLS:
        match = _VARIANT.match(key)
        assert match is None or match["name"] in named, f"{key}: no such URL"
    plain = ARGUMENTS["queue"](None)
    missing = [q for q in QUEUES if q != plain and f"staff:queue[queue={q}]" not in URLS]
    assert missing == [], f"add staff:queue[queue=...] rows to URLS for: {missing}"


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
        for key, given in rows_for(name):
            method, row = URLS[key]
            url = url_for(name, route, world, given)
            # Each request meets the same world: whatever a POST changes is rolled back.
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            if response.status_code != row[persona]:
                wrong.append(f"{method.upper()} {url} ({key}): {response.status_code}, "
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
