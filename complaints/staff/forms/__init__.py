"""The staff console's forms: the complaint page's actions and logging a contact."""
