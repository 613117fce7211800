"""The case's reads (selectors): every user-scoped read, so permission filtering lives here.

queue.py      the staff queues (mine, my team's, unassigned), filters and search
customers.py  finding a customer while logging a contact
follow.py     what a customer may see of their complaint (follow page, portal)
"""
