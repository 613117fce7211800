"""What the seeds and Ofcom require on the published code pages (issue 10, items 1 and 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalation.models import CodeVersion

pytestmark = pytest.mark.django_db


def page(client) -> str:
    return " ".join(client.get(reverse("complaints:code_of_practice")).content.decode().split())


def test_infinitys_page_gives_its_useful_addresses(client, use_code):
    """Infinity: "Useful addresses … Ofcom: Riverside House, 2A Southwark Bridge Road, London
    SE1 9HA … Federation of Communication Services Limited (FCS)" """
    use_code("infinity-group-2016")
    html = page(client)
    assert "Useful addresses" in html
    assert "Ofcom: Riverside House, 2A Southwark Bridge Road, London SE1 9HA" in html
    assert "Federation of Communication Services Limited (FCS)" in html
    assert "Ombudsman Services: Communications: PO Box 730, Warrington, WA4 6WU" in html


def test_infinitys_page_does_not_promise_adr_sooner_with_a_deadlock_letter(client, use_code):
    """Infinity: "can only be accessed once 8 weeks have passed since you first made your
    complaint" """
    use_code("infinity-group-2016")
    html = page(client)
    assert "Sooner, if we write to tell you" not in html
    assert "once the ADR period above has passed" in html


def test_sovisions_page_gives_the_accounts_address(client):
    """soVision: "please send an email detailing the problem to support@sovision.com or
    accounts@sovisionit.com" """
    html = page(client)
    assert "accounts@sovisionit.com" in html
    assert "Sooner, if we write to tell you that we cannot resolve your complaint." in html
    assert "you can ask us for a “deadlock letter”; we send it within 2 working days" in html


def test_ofcom_2026_names_the_schemes_website(client, use_code):
    use_code("ofcom-2026")
    assert "https://www.commsombudsman.org" in page(client)
    assert CodeVersion.objects.get(code__slug="ofcom-2026").adr_scheme_website
