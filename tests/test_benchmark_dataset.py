"""The benchmarks' network is valid data: every page they drive answers 200 on it."""
from benchmarks.dataset import generate
from benchmarks.load import pages
from r2pnet.discussions.models import Post, Thread
from r2pnet.extensions import db
from r2pnet.knowledge.models import Lesson
from r2pnet.members.models import Member
from r2pnet.search import matching
from tests.api_helpers import token_for
from tests.helpers import login


def test_a_small_network_has_the_proportions_asked_for(app):
    with db.connection_context():
        network = generate(members=40, lessons=60, threads=6, posts_per_thread=4,
                           deliberations_per_region=2, flags=5, log=lambda line: None)
        assert Member.select().count() == 41  # and an administrator
        assert Lesson.select().count() == 60
        assert Thread.select().count() == 6 and Post.select().count() == 24
        assert network.counts["flags"] == 5 and network.counts["deliberations"] == 10
        assert Lesson.select().where(Lesson.id.in_(
            matching("lesson", "early").select(matching("lesson", "early").c.object_id))
        ).count() > 0


def test_every_page_the_load_run_drives_answers_200(app, client):
    with db.connection_context():
        network = generate(members=40, lessons=60, threads=6, posts_per_thread=4,
                           deliberations_per_region=2, flags=5, log=lambda line: None)
        token = token_for(Member.get_by_id(network.member_id))
    login(client, network.bench_email, network.password)

    statuses = {}
    for name, path, needs in pages(network):
        headers = {"Authorization": f"Bearer {token}"} if needs == "token" else {}
        statuses[name] = client.get(path, headers=headers).status_code

    assert set(statuses.values()) == {200}, statuses
