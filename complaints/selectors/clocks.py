"""Each clock of a complaint and where it stands (met / pending / breached), as the staff page
and the API both show it. Reads only the complaint's precomputed clocks: no queries, except
the code version (select it with the complaint)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from complaints.models import Complaint, Status
from escalation.calendar import local_date
from escalation.choices import CLOCK_NAMES

CLOCK_LABELS = {
    "acknowledge_by": "Acknowledge by",
    "respond_by": "Respond by",
    "resolve_by": "Resolve by",
    "adr_eligible_from": "ADR eligible from",
    "adr_refer_by": "Refer to ADR by",
    "auto_close_at": "Auto-close at",
}
# The clock each recorded moment meets.
MET_BY = {
    "acknowledge_by": "acknowledged_at",
    "respond_by": "first_response_at",
    "resolve_by": "resolved_at",
}
DATE_CLOCKS = frozenset({"adr_eligible_from", "adr_refer_by"})


@dataclass(frozen=True)
class ClockState:
    name: str
    label: str
    value: datetime.datetime | datetime.date | None
    is_date: bool
    reason: str
    state: str  # met, pending, breached, "" (not running / passed / no such clock)
    state_label: str
    met_at: datetime.datetime | None = None
    missing: str = "No such clock"


def clock_states(complaint: Complaint, now: datetime.datetime) -> list[ClockState]:
    """Every canonical clock of `complaint` at `now`, in canonical order."""
    today = local_date(now)
    rows = []
    for name in CLOCK_NAMES:
        value = getattr(complaint, name)
        state, label, met_at = "", "", None
        missing = "No such clock"
        if value is None:
            missing = _not_started(complaint, name) or missing
        elif name in MET_BY:
            met_at = getattr(complaint, MET_BY[name])
            if met_at is not None:
                state, label = "met", "Met" if met_at <= value else "Met late"
            elif now > value:
                state, label = "breached", "Breached"
            elif complaint.is_open:
                state, label = "pending", "Pending"
            else:
                state, label = "", "Not running"
        elif name == "adr_eligible_from":
            state, label = ("met", "Reached") if today >= value else ("pending", "Not yet")
        elif name == "adr_refer_by":
            state, label = ("", "Passed") if today > value else ("pending", "Open")
        elif name == "auto_close_at":
            if complaint.status != Status.AWAITING_CUSTOMER:
                state, label = "", "Not running"
            elif now >= value:
                state, label = "breached", "Due now"
            else:
                state, label = "pending", "Pending"
        rows.append(
            ClockState(
                name=name,
                label=CLOCK_LABELS.get(name, name),
                value=value,
                is_date=name in DATE_CLOCKS,
                reason=complaint.clock_reasons.get(name, ""),
                state=state,
                state_label=label,
                met_at=met_at,
                missing=missing,
            )
        )
    return rows


def _not_started(complaint: Complaint, name: str) -> str:
    """Why a clock the governing code does have is empty: it starts with a later event."""
    version = complaint.code_version
    if name == "auto_close_at" and version.auto_close_working_days is not None:
        return "No such clock yet: it starts when we respond or action a resolution"
    if name == "adr_refer_by" and version.refer_by_months_after_letter is not None:
        return "No such clock yet: it starts with our deadlock letter"
    return ""
