"""Schemathesis fuzzes every API operation, as each role and without a token."""
import importlib
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from r2pnet.api.setup import RESOURCE_MODULES
from r2pnet.knowledge.attachments import add_attachment
from r2pnet.api.spec import build_spec
from tests.api_helpers import FUZZ_CASES, token_for
from tests.moderation_helpers import make_reply, make_thread
from tests.test_deliberations import schedule

for _name in RESOURCE_MODULES:
    importlib.import_module(_name)

BASE_URL = "http://r2pnet.test"


def _schema(max_examples, coverage):
    """The document as schemathesis reads it, with the checks the issue asks for."""
    loaded = schemathesis.openapi.from_dict(build_spec(BASE_URL))
    loaded.config.update(base_url=BASE_URL)
    # The three rules are checked (no server error; every response as documented;
    # nothing the document forbids accepted). "Valid data must be accepted" is not one of them:
    # valid JSON can still name a region that does not exist, or carry a stale If-Match.
    loaded.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    # An update without If-Match is 428 Precondition Required (RFC 6585).
    missing_header = loaded.config.checks.missing_required_header
    missing_header.expected_statuses = [*missing_header.expected_statuses, "428"]
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=max_examples, deterministic=True)
    loaded.config.phases.coverage.enabled = coverage
    return loaded


# The coverage phase (every boundary and every missing or malformed part of each request) is
# run as a member; the other roles get the random positive and negative phases, which is where
# permissions differ. The whole run stays within a few minutes per database.
schema = _schema(max_examples=20, coverage=True)
quick = _schema(max_examples=15, coverage=False)


@pytest.fixture
def world(app, make_member, make_lesson):
    """Something of everything; half the valid cases are aimed at these rows."""
    member = make_member(email="fuzz-member@example.org", region_key="africa")
    moderator = make_member(email="fuzz-moderator@example.org", role="moderator",
                            region_key="africa", moderates=("africa",))
    admin = make_member(email="fuzz-admin@example.org", role="administrator")
    lesson = make_lesson(member, region_key="africa")
    attachment = add_attachment(member, lesson, io.BytesIO(b"Notes from the desk."), "notes.txt")
    thread = make_thread(member)
    reply = make_reply(moderator, thread)
    deliberation = schedule(moderator)
    ids = {"lesson_id": lesson.id, "attachment_id": attachment.id, "thread_id": thread.id,
           "post_id": reply.id, "deliberation_id": deliberation.id, "member_id": member.id,
           "region_id": member.region_id, "space": "africa"}
    return {"ids": ids, "member": token_for(member), "moderator": token_for(moderator),
            "administrator": token_for(admin), "anonymous": None}


def _aim_at_real_rows(case, ids):
    """Every other valid case uses ids that exist (random ids would nearly always be a 404)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if sum(FUZZ_CASES.values()) % 2 and case.path_parameters:
        for name in case.path_parameters:
            if name in ids:
                case.path_parameters[name] = ids[name]


def _run(case, role, world, client):
    token = world[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _aim_at_real_rows(case, world["ids"])
    case.operation.schema.app = client.application  # the checks probe too (e.g. without auth)
    FUZZ_CASES[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    # Through the isolated test client: each request gets its own app context, as in production.
    case.call_and_validate(app=client.application, session=client, headers=headers)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_api_conforms_to_its_document_for_a_member(case, world, client):
    _run(case, "member", world, client)


@pytest.mark.parametrize("role", ("anonymous", "moderator", "administrator"))  # and member
@quick.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_api_conforms_to_its_document_for_every_role(case, role, world, client):
    _run(case, role, world, client)
