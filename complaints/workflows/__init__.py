"""Workflows: what people and the beat do to a case, each a transaction over the case layer.

actions.py           staff actions on a complaint (acknowledge, update, escalate, deadlock…)
customer_actions.py  what a customer does from the follow page, and the fresh-link email
intake.py            staff logging a call, letter or email (identity check, attachments)
submissions.py       the public web form's write-ahead store, guards and logging
web_form.py          the public web form's questions and checks (also re-checks kept posts)
letters.py           deadlock and ADR letters: issue, render to PDF, send
"""
