# Schemathesis hooks for the Billwright run (scripts/schemathesis.sh loads this file).
#
# Schema-valid values the document cannot name: a real currency, country, time zone and locale
# (the schema says only "three capitals"), and a customer and plan that exist (seeded by the test,
# named in the environment). Only positive cases are touched, so negative cases stay negative.
# With them, generated customers, plans, invoices and subscriptions are created, and the stateful
# phase follows their links (read, edit, finalize, pay, pause...).
import os

import schemathesis

REAL = {"currency": "EUR", "country": "FR", "timezone": "Europe/Paris", "locale": "fr-FR"}
CUSTOMER_ID = os.environ.get("BILLWRIGHT_FUZZ_CUSTOMER_ID")
PLAN_CODE = os.environ.get("BILLWRIGHT_FUZZ_PLAN_CODE")
# The fuzzer's own key: the stateful phase lists keys and follows their ids to revoke and rotate,
# and once it has revoked its own, every later request is a 401 that tests nothing.
OWN_KEY_ID = os.environ.get("BILLWRIGHT_FUZZ_KEY_ID")
KEY_ACTIONS = {"/v1/api-keys/{id}/revoke", "/v1/api-keys/{id}/rotate"}
CREATES = {"/v1/customers", "/v1/plans", "/v1/invoices", "/v1/subscriptions", "/v1/coupons", "/v1/estimates"}


def _positive(case) -> bool:
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    return str(getattr(mode, "value", mode)) == "positive"


def _finance_query(case):
    """A period the finance reports answer: a real currency, and to no earlier than from."""
    query = case.query
    if not isinstance(query, dict):
        return case
    if isinstance(query.get("currency"), str):
        query["currency"] = REAL["currency"]
    if isinstance(query.get("from"), str) and isinstance(query.get("to"), str):
        query["to"] = query["from"]
    return case


@schemathesis.hook
def map_case(context, case):
    params = case.path_parameters
    if case.path in KEY_ACTIONS and isinstance(params, dict) and params.get("id") == OWN_KEY_ID:
        params["id"] = "key_notthefuzzersown0"
        return case
    if case.method.upper() == "GET" and case.path.startswith(("/v1/registers/", "/v1/finance/")):
        return _finance_query(case) if _positive(case) else case
    body = case.body
    if case.method.upper() != "POST" or case.path not in CREATES or not isinstance(body, dict):
        return case
    if not _positive(case):
        return case
    for key, value in REAL.items():
        if isinstance(body.get(key), str):
            body[key] = value
    if CUSTOMER_ID and isinstance(body.get("customerId"), str):
        body["customerId"] = CUSTOMER_ID
    if PLAN_CODE and isinstance(body.get("planCode"), str):
        body["planCode"] = PLAN_CODE
    return case
