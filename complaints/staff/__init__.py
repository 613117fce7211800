"""The staff console (/staff/): queues, the complaint page and its actions, logging a contact.

urls.py, views/ (queue, complaint, log_contact, letters), forms/ (actions, log_contact);
templates under templates/staff/.
"""
