"""The builders' clocks: `compute_clocks`, memoised exactly (part of the seeder, bench/seed.py)."""

from __future__ import annotations

import datetime

from bench.seed_data import UTC
from escalation.calendar import local_date
from escalation.clocks import ClockInputs, Clocks, CodeRules, compute_clocks

_NEVER = datetime.datetime.min.replace(tzinfo=UTC)


class ClockMemoMismatch(RuntimeError):
    """compute_clocks no longer splits the way ClockMemo assumes: fix ClockMemo."""


class ClockMemo:
    """`compute_clocks`, memoised exactly.

    A complaint's clocks fall into independent groups, each a function of a few inputs
    (DOMAIN.md, "The clocks"): the working-day windows of (channel, nation, received); the ADR
    dates of (local date first made, letter date); auto-close of (nation, the later of
    responded and resolution actioned, and which of the two it was); ADR eligibility of
    (category, employees). A row whose groups have all been seen is assembled from them;
    otherwise compute_clocks runs on the row's own inputs and its result fills the groups.
    Every CHECK_EVERY-th assembled row is also computed in full and compared, so a change to
    compute_clocks that breaks this split stops the seeder instead of writing wrong clocks
    (tests/bench/test_seed.py recomputes every seeded row as well).
    """

    CHECK_EVERY = 97
    # Entries per group before that group is forgotten and refilled: bounds a builder's memory
    # (each entry carries its clocks' reasons, about 1 KB) whatever the number of complaints.
    MAX_ENTRIES = 10_000
    RECEIPT = ("acknowledge_by", "respond_by", "resolve_by")
    ADR = ("adr_eligible_from", "adr_refer_by")
    CLOSE = ("auto_close_at",)

    def __init__(self, rules: dict[int, CodeRules]) -> None:
        self.rules = rules
        self.receipt: dict[tuple, tuple] = {}
        self.adr: dict[tuple, tuple] = {}
        self.close: dict[tuple, tuple] = {}
        self.eligibility: dict[tuple, tuple] = {}
        self.computed = 0
        self.assembled = 0

    @staticmethod
    def _groups_cover(i: ClockInputs) -> bool:
        """Whether the four groups are all of this row's clocks. An escalation (the formal
        response clock), a letter asked for, a customer's request or a letter written for the
        ADR period start clocks the groups do not hold: such a row is computed in full (it
        was once assembled without its formal_respond_by, which the spot check caught)."""
        return (
            i.escalated is None
            and i.adr_letter_asked is None
            and i.customer_request_at is None
            and i.letter_reason == "deadlock"
        )

    def clocks(self, version_id: int, i: ClockInputs) -> Clocks:
        k1 = (version_id, i.channel, i.nation, i.received)
        k2 = (version_id, local_date(i.first_made), i.letter_date)
        later = max(i.responded or _NEVER, i.resolution_actioned or _NEVER)
        k3 = (version_id, i.nation, later, later == i.responded)
        k4 = (version_id, i.category, i.employees)
        p1, p2 = self.receipt.get(k1), self.adr.get(k2)
        p3, p4 = self.close.get(k3), self.eligibility.get(k4)
        if p1 is None or p2 is None or p3 is None or p4 is None or not self._groups_cover(i):
            self.computed += 1
            c = compute_clocks(self.rules[version_id], i)
            r = c.reasons
            pick = lambda names: {k: r[k] for k in names if k in r}  # noqa: E731
            for group in (self.receipt, self.adr, self.close, self.eligibility):
                if len(group) >= self.MAX_ENTRIES:
                    group.clear()
            receipt = (c.effective_receipt, c.acknowledge_by, c.respond_by, c.resolve_by)
            self.receipt[k1] = (*receipt, pick(self.RECEIPT))
            self.adr[k2] = (c.adr_eligible_from, c.adr_refer_by, pick(self.ADR))
            self.close[k3] = (c.auto_close_at, pick(self.CLOSE))
            self.eligibility[k4] = (c.adr_eligible, c.adr_ineligible_reason)
            return c
        self.assembled += 1
        clocks = Clocks(
            effective_receipt=p1[0],
            acknowledge_by=p1[1],
            respond_by=p1[2],
            resolve_by=p1[3],
            adr_eligible_from=p2[0],
            adr_refer_by=p2[1],
            auto_close_at=p3[0],
            adr_eligible=p4[0],
            adr_ineligible_reason=p4[1],
            reasons={**p1[4], **p2[2], **p3[1]},
        )
        if self.assembled % self.CHECK_EVERY == 1:
            full = compute_clocks(self.rules[version_id], i)
            if full != clocks:
                raise ClockMemoMismatch(f"assembled {clocks!r}, compute_clocks gives {full!r}")
        return clocks
