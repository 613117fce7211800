"""Beat jobs that enforce every window (DOMAIN.md, "Enforcement"), one framework for all.

jobs.py       the registry of jobs, the drain loop (batches within a time budget) and `enforce`
clock_jobs.py reminders and breaches over the staff clocks (complaints.staff_clocks)
refer_by.py   the ombudsman window closing
retention.py  anonymisation after the retention period (the one sanctioned rewrite)

Every job is set-based: a bounded batch of due rows by an indexed next-due column, claimed with
SELECT … FOR UPDATE SKIP LOCKED, updates guarded by the old state, each event behind a unique
key, side effects on commit. Twice, or two at once, changes nothing the second time.
"""
