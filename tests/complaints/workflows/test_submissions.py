"""complaints.workflows.submissions: the postcode → nation rule, rate limits, and the submission's states."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict

from complaints.models import Complaint, Customer, WebSubmission
from complaints.workflows.rate_limits import client_key_make, rate_parse, submission_rate_limited
from complaints.workflows.submissions import (
    form_token_clean,
    form_token_new,
    web_submission_fail,
    web_submission_process,
    web_submission_receive,
    web_submission_release,
    web_submission_spam,
)
from complaints.workflows.web_complaint import PublicComplaint
from complaints.workflows.web_form import PublicComplaintForm, summary_from
from escalation.postcodes import nation_from_postcode, postcode_normalise
from notifications.models import OutboxMessage

State = WebSubmission.State


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def complaint_answers(**overrides) -> PublicComplaint:
    fields = {
        "name": "Carys Jones",
        "kind": "consumer",
        "nation": "ENG",
        "category": "billing",
        "summary": "Charged twice in October",
        "details": "Charged twice in October\n\nWhat would put it right:\nA refund.",
        "preferred_contact": "email",
        "email": "carys@example.com",
    }
    fields.update(overrides)
    return PublicComplaint(**fields)


def received(now: datetime.datetime, **payload: str) -> WebSubmission:
    data = QueryDict(mutable=True)
    for key, value in payload.items():
        data[key] = value
    return web_submission_receive(data=data, uploads=[], ip="192.0.2.1", now=now)


# -- the UK nation from a postcode ----------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode,nation",
    [
        ("EH1 1YZ", "SCT"),
        ("eh11yz", "SCT"),
        ("G1 1XQ", "SCT"),  # Glasgow: one letter…
        ("GL1 2EH", "ENG"),  # …Gloucester starts with G too
        ("AB10 1AB", "SCT"),
        ("ZE1 0AA", "SCT"),
        ("TD1 1AA", "SCT"),
        ("KW15 1AA", "SCT"),
        ("BT1 5GS", "NIR"),
        ("BT11AA", "NIR"),
        ("CF10 1EP", "WLS"),
        ("SA1 1AA", "WLS"),
        ("LL11 1AA", "WLS"),
        ("NP20 1AA", "WLS"),
        ("LD1 5AA", "WLS"),
        ("CH7 1AA", "WLS"),  # Mold
        ("SY23 1AA", "WLS"),  # Aberystwyth
        ("CH1 1AA", "ENG"),  # Chester
        ("CH41 1AA", "ENG"),  # Birkenhead
        ("HR1 1AA", "ENG"),
        ("SY1 1AA", "ENG"),
        ("BS31 2UG", "ENG"),
        ("SW1A 1AA", "ENG"),
        ("EC1A 1BB", "ENG"),
        ("W1A 0AX", "ENG"),
        ("GIR 0AA", "ENG"),
        ("DD1", "SCT"),  # an outward code on its own is enough
    ],
)
def test_nation_from_postcode(postcode, nation):
    assert nation_from_postcode(postcode) == nation


@pytest.mark.parametrize(
    "postcode",
    [
        "TD15 1AB",  # Berwick-upon-Tweed: England and Scotland
        "TD12 4AA",
        "LD7 1AA",
        "LD8 2AA",
        "CH4 0AA",
        "SY10 7AA",
        "SY13 1AA",
        "SY14 8AA",
        "HR3 5AA",
        "NP16 7AA",
        "IM1 1AA",  # Isle of Man: not a UK nation
        "JE2 3AA",
        "",
        None,
        "???",
    ],
)
def test_nation_from_postcode_is_unknown_on_a_border_or_outside_the_uk(postcode):
    assert nation_from_postcode(postcode) is None


@pytest.mark.parametrize(
    "given,normalised",
    [("bs312ug", "BS31 2UG"), (" sw1a  1aa ", "SW1A 1AA"), ("gir0aa", "GIR 0AA"), ("BS31", None)],
)
def test_postcode_normalise(given, normalised):
    assert postcode_normalise(given) == normalised


# -- rate limits --------------------------------------------------------------------------------


def test_rate_parse():
    assert rate_parse("10/h") == (10, 3600)
    assert rate_parse("5/m") == (5, 60)
    assert rate_parse("100/day") == (100, 86400)
    assert rate_parse("off") is None
    assert rate_parse("") is None
    with pytest.raises(ImproperlyConfigured):
        rate_parse("ten an hour")


def test_the_limit_is_reached_after_the_allowed_number(db, settings, now):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "2/h"
    key = client_key_make("192.0.2.1")
    results = [submission_rate_limited(client_key=key, email="", now=now) for _ in range(3)]
    assert results == [None, None, "ip"]


def test_the_limit_starts_again_in_the_next_window(db, settings, now):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "1/h"
    key = client_key_make("192.0.2.1")
    assert submission_rate_limited(client_key=key, email="", now=now) is None
    assert submission_rate_limited(client_key=key, email="", now=now) == "ip"
    later = now + datetime.timedelta(hours=1)
    assert submission_rate_limited(client_key=key, email="", now=later) is None


def test_the_email_limit_ignores_case_and_spaces(db, settings, now):
    settings.REDRESS_SUBMIT_LIMIT_PER_EMAIL = "1/h"
    assert submission_rate_limited(client_key="a", email="carys@example.com", now=now) is None
    assert submission_rate_limited(client_key="b", email=" Carys@Example.COM ", now=now) == "email"


def test_a_limit_of_off_never_limits(db, settings, now):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "off"
    settings.REDRESS_SUBMIT_LIMIT_PER_EMAIL = "off"
    for _ in range(50):
        assert submission_rate_limited(client_key="a", email="a@example.com", now=now) is None


def test_the_limits_still_hold_when_the_cache_is_down(db, settings, now, monkeypatch):
    # Given Redis (the cache) is unreachable
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "1/h"

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for method in ("add", "incr", "get", "set"):
        monkeypatch.setattr(cache, method, down)
    # When the same client submits twice, then the second is over the limit (counted in PostgreSQL)
    results = [submission_rate_limited(client_key="a", email="", now=now) for _ in range(2)]
    assert results == [None, "ip"]


# -- keeping the submission ---------------------------------------------------------------------


def test_the_write_ahead_keeps_the_text_fields_and_a_keyed_hash_of_the_ip(db, now):
    data = QueryDict(mutable=True)
    data.update({"name": "Carys\x00 Jones", "csrfmiddlewaretoken": "secret", "email": " c@e.com "})
    data.setlist("vulnerability_flags", ["sight"])
    upload = SimpleUploadedFile("bill.pdf", b"%PDF-1", content_type="application/pdf")

    submission = web_submission_receive(data=data, uploads=[upload], ip="192.0.2.1", now=now)

    submission.refresh_from_db()
    assert submission.state == State.RECEIVED
    assert submission.payload == {
        "name": "Carys Jones",
        "email": " c@e.com ",
        "vulnerability_flags": ["sight"],
    }
    assert submission.email == "c@e.com"
    assert submission.files == [{"name": "bill.pdf", "size": 6, "claimed_type": "application/pdf"}]
    assert submission.client_key == client_key_make("192.0.2.1")
    assert "192.0.2.1" not in submission.client_key
    assert len(submission.client_key) == 64


def test_a_settled_submission_never_changes_state_again(db, now):
    submission = received(now, name="x")
    web_submission_spam(submission)
    web_submission_fail(submission=submission, uploads=[], error=RuntimeError("x"), token="")
    submission.refresh_from_db()
    assert submission.state == State.SPAM


def test_form_tokens_are_checked_for_shape():
    token = form_token_new()
    assert form_token_clean(token) == token
    assert form_token_clean(token.upper()) == token
    assert form_token_clean("<script>") == ""
    assert form_token_clean(None) == ""


# -- logging it ---------------------------------------------------------------------------------


def test_processing_logs_a_new_customer_complaint_and_outbox_row(db, now):
    submission = received(now, name="Carys Jones")

    complaint = web_submission_process(
        submission=submission, complaint=complaint_answers(), uploads=[], token="", now=now
    )

    submission.refresh_from_db()
    assert submission.state == State.ACCEPTED
    assert submission.complaint == complaint
    assert complaint.channel == "web"
    assert complaint.received_at == now
    assert complaint.customer.email == "carys@example.com"
    assert OutboxMessage.objects.filter(complaint=complaint).count() == 1


def test_a_double_click_that_raced_the_first_post_gets_the_first_complaint(db, now):
    token = form_token_new()
    first = received(now, name="Carys Jones")
    complaint = web_submission_process(
        submission=first, complaint=complaint_answers(), uploads=[], token=token, now=now
    )
    # the second POST passed the early check before the first committed, then waited
    second = received(now, name="Carys Jones")

    again = web_submission_process(
        submission=second, complaint=complaint_answers(), uploads=[], token=token, now=now
    )

    assert again == complaint
    assert Complaint.objects.count() == 1
    second.refresh_from_db()
    assert second.state == State.RECEIVED
    assert "Sent twice" in second.note


def test_a_failure_part_way_leaves_no_customer_and_no_complaint(db, now, monkeypatch):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("complaints.workflows.submissions.attachments_store", broken)
    submission = received(now, name="Carys Jones")
    pdf = SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n", content_type="application/pdf")

    with pytest.raises(OSError):
        web_submission_process(
            submission=submission, complaint=complaint_answers(), uploads=[pdf], token="", now=now
        )

    assert Customer.objects.count() == 0
    assert Complaint.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    submission.refresh_from_db()
    assert submission.state == State.RECEIVED


# -- the form on its own ------------------------------------------------------------------------


def test_summary_is_the_first_line_cut_at_a_word():
    assert summary_from("\n  Broadband   down \nsince Monday") == "Broadband down"
    long = "a" * 150 + " " + "b" * 100
    assert summary_from(long) == "a" * 150 + "…"
    assert len(summary_from("x" * 500)) == 200


def test_the_form_derives_the_nation_and_hands_over_the_service_fields(db):
    form = PublicComplaintForm(
        {
            "name": "  Carys   Jones ",
            "email": "carys@example.com",
            "postcode": "eh1 1yz",
            "kind": "consumer",
            "category": "billing",
            "details": "Charged twice\nIn October",
            "remedy": "A refund",
            "preferred_contact": "email",
        }
    )
    assert form.is_valid(), form.errors
    complaint = form.public_complaint()
    assert complaint.name == "Carys Jones"
    assert complaint.postcode == "EH1 1YZ"
    assert complaint.nation == "SCT"
    assert complaint.summary == "Charged twice"
    assert complaint.employee_count is None


# -- a person logs what was kept -----------------------------------------------------------------


def test_a_held_submission_is_logged_by_a_person_with_its_files_and_original_time(
    client, agent, now, settings
):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "0/h"
    pdf = SimpleUploadedFile("bill.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with time_machine.travel(now, tick=False):
        response = client.post(
            "/complain/",
            {
                "name": "Carys Jones",
                "email": "carys@example.com",
                "postcode": "EH1 1YZ",
                "kind": "consumer",
                "category": "billing",
                "details": "Charged twice",
                "remedy": "A refund",
                "preferred_contact": "email",
                "vulnerability_flags": ["sight"],
                "attachments": [pdf],
            },
        )
    assert response.status_code == 429
    held = WebSubmission.objects.get(state=State.HELD)

    later = now + datetime.timedelta(hours=20)
    complaint = web_submission_release(submission_id=held.pk, now=later, by=agent)

    assert complaint.received_at == now
    assert complaint.nation == "SCT"
    assert complaint.customer.vulnerability_flags == ["sight"]
    assert [a.original_name for a in complaint.attachments.all()] == ["bill.pdf"]
    held.refresh_from_db()
    assert held.state == State.ACCEPTED
    assert held.complaint == complaint
    with pytest.raises(ValidationError):
        web_submission_release(submission_id=held.pk, now=later, by=agent)
    assert Complaint.objects.count() == 1


def test_a_kept_submission_that_is_not_a_complete_complaint_is_not_logged(db, now):
    submission = received(now, name="Carys Jones")
    web_submission_spam(submission)

    with pytest.raises(ValidationError, match="details"):
        web_submission_release(submission_id=submission.pk, now=now)

    assert Complaint.objects.count() == 0
    submission.refresh_from_db()
    assert submission.state == State.SPAM
