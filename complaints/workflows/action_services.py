"""Every staff action of the lifecycle table and the workflow that does it: the one map the
staff console's complaint page and the API's generated action endpoints both use (one endpoint
per entry, its body from the signature), so a new action needs one entry here."""

from __future__ import annotations

from typing import Any

from complaints.lifecycle import Action
from complaints.workflows import actions, adr_letters

ACTION_SERVICES: dict[Action, Any] = {
    Action.ACKNOWLEDGE: actions.complaint_acknowledge,
    Action.SEND_UPDATE: actions.complaint_send_update,
    Action.RECORD_FINDINGS: actions.complaint_record_findings,
    Action.PROPOSE_RESOLUTION: actions.complaint_propose_resolution,
    Action.CONFIRM_REMEDIED: actions.complaint_confirm_remedied,
    Action.MARK_RESOLVED: actions.complaint_mark_resolved,
    Action.REOPEN: actions.complaint_reopen,
    Action.ESCALATE: actions.complaint_escalate,
    Action.ASSIGN: actions.complaint_assign,
    Action.ISSUE_DEADLOCK: actions.complaint_issue_deadlock,
    Action.RECORD_ADR_REFERRAL: actions.complaint_record_adr_referral,
    Action.CUSTOMER_REPLIED: actions.complaint_customer_replied,
    Action.ISSUE_ADR_LETTER: adr_letters.complaint_adr_letter_approve,
}
