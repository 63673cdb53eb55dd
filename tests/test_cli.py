"""Operator commands: init-db, create-admin, invite, demo-data."""
from urllib.parse import urlsplit

import pytest

from r2pnet.accounts.models import Invitation
from r2pnet.accounts.passwords import verify_password
from r2pnet.accounts.services import request_password_reset
from r2pnet.audit.models import AuditEvent
from r2pnet.demo import DEMO_MEMBERS
from r2pnet.members.models import (Member, MemberExpertise, MemberLanguage, ModeratorRegion,
                                   Region)
from r2pnet.members.reference import countries, languages, timezones
from r2pnet.taxonomy import EXPERTISE
from tests.helpers import PASSWORD, link_in, login, region, text_of

KEYS = "africa, americas, asia_pacific, europe, mena"


def create_admin(runner, email, name="Ada Lovelace", password=PASSWORD, confirm=None):
    return runner.invoke(args=["create-admin", email],
                         input=f"{name}\n{password}\n{confirm or password}\n")


# --- init-db ---------------------------------------------------------------------------------

def test_init_db_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith("The database is up to date.")
    assert sorted(r.key for r in Region.select()) == KEYS.split(", ")


# --- create-admin ----------------------------------------------------------------------------

def test_create_admin_creates_an_administrator_who_can_sign_in(runner, client):
    result = create_admin(runner, " Ada@Example.org ")

    assert result.exit_code == 0, result.output
    assert "Created administrator ada@example.org." in result.output
    admin = Member.get(Member.email == "ada@example.org")
    assert (admin.name, admin.role, admin.region_id) == ("Ada Lovelace", "administrator", None)
    assert verify_password(admin.password_hash, PASSWORD)
    assert AuditEvent.get(AuditEvent.action == "joined").target_id == admin.id
    assert login(client, "ada@example.org").status_code == 302
    assert client.get("/admin/regions").status_code == 200


def test_create_admin_refuses_a_common_password_and_saves_nothing(runner):
    result = create_admin(runner, "ada@example.org", password="password123")

    assert result.exit_code != 0
    assert "This password is too common" in result.output
    assert not Member.select().exists()
    assert not AuditEvent.select().exists()


def test_create_admin_asks_again_when_the_confirmation_differs(runner):
    result = runner.invoke(args=["create-admin", "ada@example.org"],
                           input=f"Ada Lovelace\n{PASSWORD}\nsomething else\n{PASSWORD}\n"
                                 f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert Member.get(Member.email == "ada@example.org").role == "administrator"


@pytest.mark.parametrize("email, name, message", [
    ("not-an-email", "Ada Lovelace", "Enter a valid email address"),
    ("ada@example", "Ada Lovelace", "Enter a valid email address"),
    ("ada@example.org\nBcc: x@example.org", "Ada Lovelace", "Enter a valid email address"),
    ("ada@example.org", "A" * 121, "Give a name of 1 to 120 characters on one line."),
    ("ada@example.org", "   ", "Give a name of 1 to 120 characters on one line."),
    ("ada@example.org", "Ada\rBcc: x@example.org", "Give a name of 1 to 120 characters"),
    ("ada@example.org", "Ada\tLovelace", "Give a name of 1 to 120 characters"),
])
def test_create_admin_refuses_bad_input_clearly(runner, email, name, message):
    result = runner.invoke(args=["create-admin", email, "--name", name, "--password", PASSWORD])

    assert result.exit_code != 0
    assert message in result.output
    assert not Member.select().exists()


def test_create_admin_promotes_an_existing_member(runner, make_member):
    moderator = make_member(email="kwame@example.org", name="Kwame Mensah", role="moderator",
                            moderates=("africa",), password=None)

    result = create_admin(runner, "KWAME@example.org", name="Ignored Name")

    assert result.exit_code == 0, result.output
    assert "Promoted administrator kwame@example.org." in result.output
    saved = Member.get_by_id(moderator.id)
    assert (saved.role, saved.name) == ("administrator", "Kwame Mensah")
    assert not ModeratorRegion.select().where(ModeratorRegion.member == moderator.id).exists()
    event = AuditEvent.get(AuditEvent.action == "role_changed")
    assert (event.target_id, event.detail) == (moderator.id,
                                                "moderator -> administrator (command line)")
    assert Member.select().count() == 1


# --- invite ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role_args, role", [([], "member"), (["--role", "moderator"],
                                                              "moderator")])
def test_invite_prints_the_link_that_is_emailed(runner, client, mailbox, role_args, role):
    result = runner.invoke(args=["invite", "Thandiwe@Example.org", "--region", "africa",
                                 *role_args])

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"Invitation sent to thandiwe@example.org ({role}, Africa)."
    printed = urlsplit(lines[-1])
    assert (printed.scheme, printed.netloc) == ("http", "r2pnet.test")
    assert printed.path.startswith("/invitations/")

    msg = mailbox.last_to("thandiwe@example.org")
    assert len(mailbox.messages) == 1
    assert link_in(msg, "/invitations/") == printed.path
    assert f"as {role} in Africa" in " ".join(text_of(msg).split())
    invitation = Invitation.get(Invitation.email == "thandiwe@example.org")
    assert (invitation.role, invitation.region_id) == (role, region("africa").id)
    assert client.get(printed.path).status_code == 200


def test_invite_to_an_unknown_region_lists_the_keys_and_saves_nothing(runner, mailbox):
    result = runner.invoke(args=["invite", "thandiwe@example.org", "--region", "oceania"])

    assert result.exit_code != 0
    assert "There is no region with key 'oceania'." in result.output
    assert f"Known keys: {KEYS}." in result.output
    assert not Invitation.select().exists() and not AuditEvent.select().exists()
    assert mailbox.messages == []


@pytest.mark.parametrize("email", ["thandiwe", "thandiwe@example.org, other@example.org",
                                   "Thandiwe <thandiwe@example.org>",
                                   "thandiwe@example.org\r\nBcc: all@example.org"])
def test_invite_refuses_a_bad_email_clearly(runner, mailbox, email):
    result = runner.invoke(args=["invite", email, "--region", "africa"])

    assert result.exit_code != 0
    assert "Enter a valid email address" in result.output
    assert not Invitation.select().exists() and mailbox.messages == []


def test_invite_refuses_an_unknown_role(runner, mailbox):
    result = runner.invoke(args=["invite", "t@example.org", "--region", "africa",
                                 "--role", "administrator"])

    assert result.exit_code == 2
    assert "'member', 'moderator'" in result.output
    assert not Invitation.select().exists() and mailbox.messages == []


# --- demo-data -------------------------------------------------------------------------------

def test_demo_data_creates_realistic_members_once(runner):
    first = runner.invoke(args=["demo-data"])
    second = runner.invoke(args=["demo-data"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert f"{len(DEMO_MEMBERS)} new member(s)" in first.output
    assert "0 new member(s)" in second.output
    members = list(Member.select())
    assert len(members) == len(DEMO_MEMBERS) == 25
    assert len({m.region_id for m in members}) == 5  # every region has people
    for member in members:
        assert member.name and member.title and member.organization and member.bio
        assert member.country in countries() and member.timezone in timezones()
        assert member.region_id is not None and member.country in member.region.countries
        assert member.role == "member" and member.password_hash is None
        codes = [r.code for r in MemberLanguage.select().where(MemberLanguage.member == member)]
        assert codes and all(code in languages() for code in codes)
        keys = [r.key for r in MemberExpertise.select().where(MemberExpertise.member == member)]
        assert len(keys) == 3 and all(key in EXPERTISE for key in keys)
    lucia = Member.get(Member.name == "Lucía Fernández")
    assert (lucia.country, lucia.region.key) == ("CR", "americas")
    assert Member.select().where(Member.is_focal_point == True).count() > 0  # noqa: E712


def test_every_demo_member_can_receive_a_password_reset(runner, mailbox):
    """The demo tells people to use 'Forgot your password?': that mail must go out to all."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0

    for member in Member.select():
        assert member.email.isascii(), member.email
        request_password_reset(member.email)

    assert len(mailbox.messages) == len(DEMO_MEMBERS)


def test_create_admin_asks_nothing_when_promoting_and_says_so_when_already_done(runner,
                                                                                 make_member):
    make_member(email="kwame@example.org", password=None)

    promoted = runner.invoke(args=["create-admin", "kwame@example.org"], input="")
    again = runner.invoke(args=["create-admin", "kwame@example.org"], input="")

    assert promoted.exit_code == 0 and "Password" not in promoted.output
    assert "Promoted administrator kwame@example.org." in promoted.output
    assert again.exit_code == 0
    assert "kwame@example.org is already an administrator." in again.output


def test_invite_with_the_mail_server_down_still_prints_a_working_link(app, runner, client):
    from r2pnet.config import parse_smtp_url
    app.config["SMTP"] = parse_smtp_url("smtp://127.0.0.1:9")  # nothing listens there

    result = runner.invoke(args=["invite", "nomail@example.org", "--region", "africa"])

    assert result.exit_code == 0, result.output
    assert "the email could not be sent yet" in result.output
    path = urlsplit(result.output.strip().splitlines()[-1]).path
    assert client.get(path).status_code == 200


def test_demo_data_adds_a_living_knowledge_base_once(runner, client, make_member):
    from r2pnet.knowledge.models import Lesson, LessonTerm
    from tests.signin import sign_in_as

    runner.invoke(args=["demo-data"])
    runner.invoke(args=["demo-data"])

    lessons = list(Lesson.select())
    assert len(lessons) == 32
    assert {lesson.visibility for lesson in lessons} == {"network", "public", "region"}
    assert any(lesson.attribution == "anonymous" for lesson in lessons)
    assert any(not lesson.is_published for lesson in lessons)
    assert sum(lesson.applied_count for lesson in lessons) > 0
    assert {t.key for t in LessonTerm.select().where(LessonTerm.kind == "pillar")} == \
        {"pillar_1", "pillar_2", "pillar_3"}
    assert len({lesson.region_id for lesson in lessons}) == 5
    sign_in_as(client, make_member(email="visitor@example.org", password=None))
    page = client.get("/lessons", query_string={"q": "magistrates"})
    assert "Training magistrates on atrocity crimes" in page.get_data(as_text=True)


def test_demo_data_starts_discussions_in_every_space_once(runner, client, make_member):
    from r2pnet.discussions.models import Post, Thread
    from r2pnet.members.models import Region
    from tests.signin import sign_in_as

    runner.invoke(args=["demo-data"])
    runner.invoke(args=["demo-data"])

    threads = list(Thread.select())
    assert {t.region_id for t in threads} == {None, *(r.id for r in Region.select())}
    assert len(threads) == 12
    assert any(t.closed_at for t in threads) and Post.select().where(Post.number > 1).exists()
    sign_in_as(client, make_member(email="visitor@example.org", password=None))
    space = client.get("/regions/africa").get_data(as_text=True)
    assert "Hate speech monitoring" in space
    assert "Which early-warning sources" in space  # the question of the week
    assert "peer review of national strategies" in space  # the next deliberation


def test_demo_data_schedules_deliberations_once(runner):
    from r2pnet.deliberations.models import Deliberation, DeliberationAction
    from r2pnet.members.models import utcnow

    runner.invoke(args=["demo-data"])
    runner.invoke(args=["demo-data"])

    deliberations = list(Deliberation.select())
    assert len(deliberations) == 10
    assert sum(d.starts_at > utcnow() for d in deliberations) == 5
    assert DeliberationAction.select().count() == 5
