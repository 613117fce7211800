"""The case's reads (selectors): every user-scoped read, so permission filtering lives here.

queue.py      the staff queues (mine, my team's, unassigned), filters and search
customers.py  finding a customer while logging a contact
access.py     which complaint a follow link or a portal account may see
follow.py     what the customer sees of it (follow page, portal list)
"""
