"""The customer side: home, the public complaint form (/complain/), following a complaint by
signed link (/follow/…) or portal account (/my/complaints/), and the letters we sent.

urls.py, views/ (home, complain, follow, letters), forms.py (the follow page's actions);
templates under templates/complaints/. The public form's own questions are in
complaints/workflows/web_form.py, because re-checking a kept post uses them too.
"""
