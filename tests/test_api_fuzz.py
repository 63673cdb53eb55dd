"""Schemathesis fuzzes every API operation, as each role and without a token."""
import importlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from r2pnet.api.setup import RESOURCE_MODULES
from r2pnet.api.spec import build_spec
from tests.api_helpers import FUZZ_CASES, token_for

for _name in RESOURCE_MODULES:
    importlib.import_module(_name)

BASE_URL = "http://r2pnet.test"
schema = schemathesis.openapi.from_dict(build_spec(BASE_URL))
schema.config.update(base_url=BASE_URL)
# The three rules are checked (no server error; every response as documented; nothing
# the document forbids accepted). "Valid data must be accepted" is not one of them: valid
# JSON can still name a region that does not exist, or carry a stale If-Match, and is refused.
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
# An update without If-Match is 428 Precondition Required (RFC 6585).
schema.config.checks.missing_required_header.expected_statuses += ["428"]
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=20, deterministic=True)

ROLES = ("anonymous", "member", "moderator", "administrator")


@pytest.fixture
def world(app, make_member, make_lesson):
    """Something of everything, so generated ids sometimes hit real rows."""
    member = make_member(email="fuzz-member@example.org", region_key="africa")
    moderator = make_member(email="fuzz-moderator@example.org", role="moderator",
                            region_key="africa", moderates=("africa",))
    admin = make_member(email="fuzz-admin@example.org", role="administrator")
    make_lesson(member, region_key="africa")
    return {"member": token_for(member), "moderator": token_for(moderator),
            "administrator": token_for(admin), "anonymous": None}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_api_conforms_to_its_document(case, role, world, client):
    token = world[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.operation.schema.app = client.application  # the checks probe too (e.g. without auth)
    # Through the isolated test client: each request gets its own app context, as in production.
    FUZZ_CASES[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    case.call_and_validate(app=client.application, session=client, headers=headers)
