"""The load test's mix (bench/load.py runs it): customers submitting and following, agents
working their queues, managers looking over the queues. Every submission carries a unique
email (`load-<run>-<n>@example.com`) so the run can be checked for exactly-once afterwards.

Loopback only: the host is the gunicorn bench/load.py started on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task

RUN = os.environ.get("REDRESS_LOAD_RUN", "run")
PASSWORD = os.environ.get("REDRESS_LOAD_PASSWORD", "")
_numbers = itertools.count()
_HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"')
_REFERENCE = re.compile(r"/staff/complaints/(RD-[A-Z0-9-]+)/")


class Customer(HttpUser):
    weight = 6
    wait_time = between(1, 3)

    @task(3)
    def submit(self) -> None:
        page = self.client.get("/complain/", name="GET /complain/")
        fields = dict(_HIDDEN.findall(page.text))
        n = next(_numbers)
        fields.update({
            "name": f"Load Customer {n}", "email": f"load-{RUN}-{n}@example.com",
            "kind": "consumer", "category": "billing", "postcode": "BS1 4DJ", "nation": "",
            "details": f"Load test complaint {n}: charged twice.", "remedy": "A refund.",
            "preferred_contact": "email", "website": "",
        })  # fmt: skip
        with self.client.post("/complain/", data=fields, name="POST /complain/",
                              allow_redirects=False, catch_response=True) as response:  # fmt: skip
            if response.status_code == 303:
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task(2)
    def follow_by_new_link(self) -> None:
        page = self.client.get("/follow/new-link/", name="GET /follow/new-link/")
        fields = dict(_HIDDEN.findall(page.text))
        fields.update({"reference": "RD-ZZZZ-0000", "email": "someone@example.com"})
        self.client.post("/follow/new-link/", data=fields, name="POST /follow/new-link/")

    @task(1)
    def read_the_code(self) -> None:
        self.client.get("/code-of-practice/", name="GET /code-of-practice/")


class _Staff(HttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="GET /accounts/login/")
        fields = dict(_HIDDEN.findall(page.text))
        fields.update({"username": self.username, "password": PASSWORD})
        with self.client.post("/accounts/login/", data=fields, name="POST /accounts/login/",
                              allow_redirects=False, catch_response=True) as response:  # fmt: skip
            if response.status_code == 302:
                response.success()
            else:  # the form again (wrong password) is a failure here, not a 200
                response.failure(f"not signed in: status {response.status_code}")


class Agent(_Staff):
    weight = 3
    wait_time = between(1, 3)
    username = "load_agent"

    @task(3)
    def my_queue(self) -> None:
        page = self.client.get("/staff/queue/all/", name="GET /staff/queue/all/")
        found = _REFERENCE.findall(page.text)
        if found:
            self.client.get(f"/staff/complaints/{found[0]}/", name="GET /staff/complaints/<ref>/")

    @task(1)
    def search(self) -> None:
        self.client.get("/staff/queue/all/?q=broadband", name="GET /staff/queue/all/?q=")


class Manager(_Staff):
    weight = 1
    wait_time = between(2, 4)
    username = "load_manager"

    @task
    def overview(self) -> None:
        self.client.get("/staff/queue/unassigned/", name="GET /staff/queue/unassigned/")
        self.client.get("/staff/queue/mine/", name="GET /staff/queue/mine/")
