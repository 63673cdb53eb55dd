"""Sample regional discussions for `flask --app app demo-data`: threads worth opening."""
from r2pnet.discussions.models import Thread
from r2pnet.discussions.schemas import ThreadSchema
from r2pnet.members.models import Member, Region

# (title, opening post, pillars, tags, replies, conclusion or None)
THREADS = [
    ("How do you brief your cabinet on atrocity risks?",
     "We are setting up a monthly brief drawn from the **Framework of Analysis**. "
     "How often do you brief, and who reads it?",
     ["pillar_1"], "early warning, risk assessment",
     ["Every month, one page, to the inter-ministerial committee. Keep it short.",
      "We brief quarterly, but add an extra brief before elections.",
      "Our parliament's human rights committee receives the same brief: it builds support."],
     "A short, regular brief with a fixed slot on the committee's agenda works best; add "
     "extra briefs before elections."),
    ("Hate speech monitoring before elections: what worked?",
     "Elections are in eight months. Which monitoring tools and partnerships helped you?",
     ["pillar_1", "pillar_2"], "elections, hate speech",
     ["We partnered with a university media lab; they publish a weekly dashboard.",
      "Community radio was more useful than social media monitoring in rural districts."],
     None),
    ("Peer review of our draft national strategy",
     "We would welcome two peers to read our draft against the four elements of a national "
     "strategy. Who can help in the next month?",
     ["pillar_2"], "national strategy, peer review", [], None),
    ("Training officials: in-house or with a university?",
     "We are choosing a partner for a two-day course on the four crimes for officials.",
     ["pillar_1"], "training of officials",
     ["A national law school gave us credibility and kept costs low."], None),
]


def create_demo_discussions():
    """Threads in every region's space and the network space (once), through the services."""
    from r2pnet.discussions import services

    authors = list(Member.select().where(Member.email.endswith("@demo.r2pnet.example"))
                   .order_by(Member.id))
    if not authors or Thread.select().where(Thread.author.in_(authors)).exists():
        return 0
    created = 0
    spaces = [None] + [region.id for region in Region.ordered()]
    for index, region_id in enumerate(spaces):
        people = [m for m in authors if region_id is None or m.region_id == region_id] or authors
        for offset, (title, body, pillars, tags, replies, conclusion) in enumerate(THREADS):
            if (index + offset) % 2:
                continue  # a different half of the themes in each space
            author = people[offset % len(people)]
            data = ThreadSchema().load({"title": title, "body_md": body, "pillars": pillars,
                                        "tags": tags})
            thread = services.create_thread(author, region_id, data).thread
            for number, text in enumerate(replies):
                services.reply(people[(offset + number + 1) % len(people)], thread, text)
            if conclusion:
                services.close_thread(author, thread, conclusion)
            created += 1
    return created


# (region key, organiser's zone) for the demo deliberations.
ZONES = {"africa": "Africa/Addis_Ababa", "americas": "America/New_York",
         "asia_pacific": "Asia/Jakarta", "europe": "Europe/Brussels", "mena": "Africa/Cairo"}


def create_demo_deliberations(now=None):
    """Per region: a past deliberation with its outcome, the next one, a question of the week."""
    import datetime as dt
    import uuid
    from zoneinfo import ZoneInfo

    from r2pnet import markdown
    from r2pnet.deliberations.models import Deliberation, DeliberationAction, WeeklyQuestion
    from r2pnet.members.models import utcnow

    if Deliberation.select().exists():
        return 0
    now = now or utcnow()
    created = 0
    for region in Region.ordered():
        people = list(Member.select().where(Member.region == region.id,
                                            Member.email.endswith("@demo.r2pnet.example")))
        if not people:
            continue
        zone = ZONES.get(region.key, "UTC")

        def at(days, zone=zone):
            local = (dt.datetime.now(ZoneInfo(zone)) + dt.timedelta(days=days)).replace(
                hour=14, minute=0, second=0, microsecond=0)
            return local.astimezone(dt.UTC).replace(tzinfo=None)

        past = Deliberation.create(
            region=region, title=f"{region.name}: early warning and elections",
            agenda_md="1. Briefs on atrocity risks\n2. Elections in the coming year",
            agenda_html=markdown.render("1. Briefs on atrocity risks\n"
                                        "2. Elections in the coming year"),
            starts_at=at(-33), timezone=zone, duration_minutes=90,
            join_url="https://meet.example.org/r2p", created_by=people[0],
            uid=f"deliberation-{uuid.uuid4()}@r2pnet",
            outcome_md="Members agreed to share their monthly risk briefs.",
            outcome_html=markdown.render("Members agreed to share their monthly risk briefs."),
            outcome_recorded_at=at(-33) + dt.timedelta(hours=2), outcome_by=people[0])
        DeliberationAction.create(deliberation=past, description="Circulate a brief template",
                                  owner=people[-1], due_on=(now + dt.timedelta(days=7)).date())
        Deliberation.create(
            region=region, title=f"{region.name}: peer review of national strategies",
            agenda_md="Two drafts to review against the four elements of a national strategy.",
            agenda_html=markdown.render("Two drafts to review against the four elements of a "
                                        "national strategy."),
            starts_at=at(9), timezone=zone, duration_minutes=90,
            location=f"{region.organizations[0] if region.organizations else region.name} "
                     "headquarters, and online",
            join_url="https://meet.example.org/r2p", created_by=people[0],
            uid=f"deliberation-{uuid.uuid4()}@r2pnet")
        thread = (Thread.select().where(Thread.region == region.id, Thread.closed_at.is_null())
                  .order_by(Thread.id).first())
        WeeklyQuestion.create(region=region, asked_by=people[0], thread=thread,
                              text="Which early-warning sources did you rely on this year, "
                                   "and which would you drop?")
        created += 2
    return created
