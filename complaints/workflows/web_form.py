"""The public complaint form: what a customer is asked, in plain English, and what it checks.

Rules that belong to complaints in general (a summary's length, future dates, the clocks) stay
in complaints.services; this form only makes sure what reaches them is complete.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from complaints.formfields import MultipleFileField
from complaints.models import Complaint, ContactMethod, Customer, VulnerabilityFlag
from complaints.workflows import intake
from complaints.workflows.intake import attachment_sniff
from complaints.workflows.web_complaint import PublicComplaint
from escalation.choices import Category, Nation
from escalation.postcodes import nation_from_postcode, postcode_normalise

MAX_ATTACHMENTS = 5
HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"
SUMMARY_MAX = Complaint._meta.get_field("summary").max_length

CATEGORY_CHOICES = [
    (Category.BILLING, "A bill, a charge or a payment"),
    (Category.FAULT_REPAIR, "A fault, or a repair that has not fixed it"),
    (Category.SERVICE, "The service we gave you, or how we treated you"),
    (Category.SALES, "What we told you when you bought or signed up"),
    (Category.PRICING, "Our prices or a price rise"),
    (Category.OTHER, "Something else"),
]
KIND_CHOICES = [
    (Customer.Kind.CONSUMER, "For myself or my household"),
    (Customer.Kind.BUSINESS, "For a business"),
]
CONTACT_CHOICES = [
    (ContactMethod.EMAIL, "Email"),
    (ContactMethod.PHONE, "Phone"),
    (ContactMethod.LETTER, "Letter, by post"),
]
NATION_CHOICES = [("", "Work it out from my postcode"), *Nation.choices]
SUPPORT_CHOICES = [
    (VulnerabilityFlag.HEARING, "I am deaf or have a hearing impairment"),
    (VulnerabilityFlag.SIGHT, "I am blind or have a sight impairment"),
    (VulnerabilityFlag.SPEECH, "I have a speech impairment"),
    (VulnerabilityFlag.MOBILITY, "I have limited mobility"),
    (VulnerabilityFlag.MENTAL_HEALTH, "I have a mental health condition"),
    (VulnerabilityFlag.COGNITIVE, "I have a learning or cognitive difficulty"),
    (VulnerabilityFlag.FINANCIAL, "I am in financial difficulty"),
    (VulnerabilityFlag.BEREAVEMENT, "I have been bereaved"),
    (VulnerabilityFlag.LANGUAGE, "I need help with English"),
    (VulnerabilityFlag.LARGE_PRINT, "I need letters in large print"),
]
MAX_MB = intake.MAX_ATTACHMENT_BYTES // (1024 * 1024)
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
# What a file's name promises, checked against what its bytes are (intake.attachment_sniff):
# a web page called statement.pdf is refused, not quietly kept as text.
_NAME_PROMISES = {
    ".pdf": ({"application/pdf"}, "a PDF"),
    ".png": ({"image/png"}, "a PNG image"),
    ".jpg": ({"image/jpeg"}, "a JPEG image"),
    ".jpeg": ({"image/jpeg"}, "a JPEG image"),
    ".tif": ({"image/tiff"}, "a TIFF image"),
    ".tiff": ({"image/tiff"}, "a TIFF image"),
    ".docx": (
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        "a Word document",
    ),
    ".eml": ({"message/rfc822", "text/plain"}, "an email"),
    ".txt": ({"text/plain", "message/rfc822"}, "a text file"),
}
_MARKUP = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<script|<svg|<\?xml)", re.I)

# What the contact method needs, and how to say it is missing.
_CONTACT_NEEDS = {
    ContactMethod.EMAIL: (
        "email",
        "You chose email: enter your email address above, or choose another way.",
    ),
    ContactMethod.PHONE: (
        "phone",
        "You chose phone: enter your phone number above, or choose another way.",
    ),
    ContactMethod.LETTER: (
        "address",
        "You chose letter: enter your postal address above, or choose another way.",
    ),
}


class PublicComplaintForm(forms.Form):
    name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="If you are complaining for a business, give your own name.",
        error_messages={"required": "Enter your full name."},
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "wide"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="We send your complaint reference and updates here. Give an email address, "
        "a phone number, or both.",
        error_messages={"invalid": "Enter an email address like name@example.com."},
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "class": "wide"}
        ),
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=1000,
        help_text="Only needed if you would like us to write to you by post.",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="We use it to work out which bank holidays apply where you live.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": "10"}),
    )
    account_reference = forms.CharField(
        label="Account number",
        required=False,
        max_length=64,
        help_text="It is on your bill. Leave it blank if you do not know it.",
    )
    kind = forms.ChoiceField(
        label="Who are you complaining for?",
        choices=KIND_CHOICES,
        initial=Customer.Kind.CONSUMER,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you are complaining for yourself or a business."
        },
    )
    employee_count = forms.IntegerField(
        label="If for a business: how many people does it employ?",
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text="Include yourself. The independent ombudsman looks at complaints from small "
        "businesses only, so this decides whether it can look at yours.",
        error_messages={
            "invalid": "Enter the number of employees as a whole number, like 4.",
            "min_value": "The number of employees cannot be less than 0.",
            "max_value": "Enter the number of employees of your business, like 4.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
    )
    nation = forms.ChoiceField(
        label="Which part of the UK do you live in?",
        required=False,
        choices=NATION_CHOICES,
        help_text="Bank holidays differ between England and Wales, Scotland and Northern "
        "Ireland, and our deadlines count working days only. If you gave your postcode we "
        "can usually work it out.",
    )
    category = forms.ChoiceField(
        label="What is your complaint about?",
        choices=CATEGORY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what your complaint is about."},
    )
    details = forms.CharField(
        label="What went wrong?",
        max_length=20_000,
        help_text="Tell us what happened, when it started and anything you have already tried. "
        "Include dates and amounts if you can. Your first line becomes the title of your "
        "complaint.",
        error_messages={"required": "Tell us what went wrong."},
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    remedy = forms.CharField(
        label="What would put it right?",
        max_length=5_000,
        help_text="For example a repair, a refund, an apology or an explanation.",
        error_messages={"required": "Tell us what would put it right."},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you about your complaint?",
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Choose a way you have given us details for.",
        error_messages={"required": "Choose how we should contact you."},
    )
    attachments = MultipleFileField(
        label="Documents or photos",
        help_text=f"Up to {MAX_ATTACHMENTS} files, each up to {MAX_MB} MB: PDF, Word (.docx), "
        "photos (JPEG, PNG or TIFF), emails (.eml) or text files.",
    )
    vulnerability_flags = forms.MultipleChoiceField(
        label="Is there anything that makes it harder for you to deal with us?",
        required=False,
        choices=SUPPORT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick any that apply, so we can give you extra help. Only the people "
        "handling your complaint see this.",
    )
    vulnerability_notes = forms.CharField(
        label="How can we help?",
        required=False,
        max_length=2_000,
        help_text="For example: large print, calls at a certain time of day, or someone who "
        "speaks for you.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, skipped_uploads: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Files the upload handler refused to read (too many, too big): errors, not silence.
        self.skipped_uploads = list(skipped_uploads or [])

    # -- fields ---------------------------------------------------------------------------------

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        digits = re.sub(r"\D", "", phone)
        if not _PHONE.match(phone) or not 7 <= len(digits) <= 15:
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982.")
        return phone

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not postcode:
            return ""
        normalised = postcode_normalise(postcode)
        if normalised is None:
            raise ValidationError(
                "Enter a full UK postcode, like BS31 2UG, or leave it blank and choose where "
                "you live below."
            )
        return normalised

    def clean_details(self) -> str:
        return self.cleaned_data["details"].strip()

    def clean_remedy(self) -> str:
        return self.cleaned_data["remedy"].strip()

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        too_many = len(uploads) > MAX_ATTACHMENTS or any(
            s["skipped"] == "too_many" for s in self.skipped_uploads
        )
        errors = []
        if too_many:
            errors.append(f"Choose no more than {MAX_ATTACHMENTS} files.")
        for skipped in self.skipped_uploads:
            if skipped["skipped"] == "too_big":
                errors.append(f"{skipped['name']} is larger than {MAX_MB} MB.")
        for upload in uploads[:MAX_ATTACHMENTS]:
            try:
                attachment_check(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return uploads

    # -- across fields --------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email, phone = data.get("email", ""), data.get("phone", "")
        if not email and not phone and "email" not in self.errors and "phone" not in self.errors:
            self.add_error(
                "email", "Enter an email address or a phone number, so we can reach you."
            )

        if data.get("kind") == Customer.Kind.BUSINESS:
            if data.get("employee_count") is None and "employee_count" not in self.errors:
                self.add_error(
                    "employee_count", "Enter how many people your business employs, like 4."
                )
        else:
            data["employee_count"] = None

        if not data.get("nation") and "postcode" not in self.errors:
            postcode = data.get("postcode", "")
            worked_out = nation_from_postcode(postcode)
            if worked_out is not None:
                data["nation"] = worked_out
            elif postcode:
                self.add_error(
                    "nation",
                    f"Choose which part of the UK you live in: {postcode} is near a border, and "
                    "bank holidays differ between nations.",
                )
            else:
                self.add_error(
                    "nation",
                    "Choose which part of the UK you live in, or enter your postcode: bank "
                    "holidays differ between nations.",
                )

        method = data.get("preferred_contact")
        if method in _CONTACT_NEEDS:
            needed, message = _CONTACT_NEEDS[method]
            if not (data.get(needed) or "").strip() and needed not in self.errors:
                self.add_error("preferred_contact", message)
        return data

    # -- for the service ------------------------------------------------------------------------

    def public_complaint(self) -> PublicComplaint:
        data = self.cleaned_data
        details = f"{data['details']}\n\nWhat would put it right:\n{data['remedy']}"
        return PublicComplaint(
            name=data["name"],
            kind=data["kind"],
            employee_count=data["employee_count"],
            nation=data["nation"],
            category=data["category"],
            summary=summary_from(data["details"]),
            details=details,
            preferred_contact=data["preferred_contact"],
            email=data["email"],
            phone=data["phone"],
            address=data["address"].strip(),
            postcode=data["postcode"],
            account_reference=data["account_reference"].strip(),
            vulnerability_flags=list(data["vulnerability_flags"]),
            vulnerability_notes=data["vulnerability_notes"].strip(),
        )

    # -- for the template -----------------------------------------------------------------------

    def anchor(self, name: str | None) -> str:
        """The id an error summary link moves focus to: a fieldset's first option."""
        if name is None or name not in self.fields:
            return "complaint-form"
        bound = self[name]
        return f"{bound.auto_id}_0" if bound.field.widget.use_fieldset else bound.auto_id

    def error_links(self) -> list[dict[str, str]]:
        links = [{"href": f"#{self.anchor(None)}", "message": m} for m in self.non_field_errors()]
        for name in self.fields:
            for message in self[name].errors:
                links.append({"href": f"#{self.anchor(name)}", "message": message})
        return links


def attachment_check(upload: UploadedFile) -> str:
    """The sniffed type of a file we take from the public; ValidationError in plain words if
    its bytes are not what its name says, or it is a web page or script dressed as text."""
    content_type = attachment_sniff(upload)
    name = upload.name or "file"
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    promised = _NAME_PROMISES.get(suffix)
    if promised is not None and content_type not in promised[0]:
        raise ValidationError(
            f"{name} is not {promised[1]}: what is inside does not match its name. Save it "
            "again as the type its name says, or as a PDF."
        )
    if content_type == "text/plain":
        upload.seek(0)
        head = upload.read(512)
        upload.seek(0)
        if _MARKUP.match(head):
            raise ValidationError(f"{name}: we cannot take web pages or scripts. Send a PDF.")
    return content_type


def summary_from(details: str) -> str:
    """A title for staff queues: the first line the customer wrote, cut at a word if long."""
    first = next((line.strip() for line in details.splitlines() if line.strip()), "")
    first = " ".join(first.split())
    if len(first) <= SUMMARY_MAX:
        return first
    cut = first[: SUMMARY_MAX - 1]
    if " " in cut[SUMMARY_MAX // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"
