"""Realistic sample data for trying the product: `flask --app app demo-data`."""
import random
import unicodedata

from r2pnet.accounts.services import new_session_version
from r2pnet.extensions import db
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, Region
from r2pnet.members.services import index_member_text
from r2pnet.taxonomy import EXPERTISE

DEMO_MEMBERS = [
    # name, title, organization, country, languages, timezone
    ("Amina Diallo", "Director of Human Rights", "Ministry of Foreign Affairs", "SN", ["fr", "wo"], "Africa/Dakar"),
    ("Kwame Mensah", "Senior Adviser, Peace and Security", "Ministry of Foreign Affairs", "GH", ["en"], "Africa/Accra"),
    ("Thandiwe Nkosi", "Deputy Director, Multilateral Affairs", "DIRCO", "ZA", ["en", "zu"], "Africa/Johannesburg"),
    ("Joseph Mwangi", "National Focal Point on R2P", "Office of the President", "KE", ["en", "sw"], "Africa/Nairobi"),
    ("Fatou Camara", "Legal Adviser", "Ministry of Justice", "GM", ["en", "fr"], "Africa/Banjul"),
    ("Lucía Fernández", "Director of Human Rights", "Ministry of Foreign Affairs", "CR", ["es", "en"], "America/Costa_Rica"),
    ("Mateo Rojas", "Coordinator, Atrocity Prevention", "Cancillería", "CO", ["es"], "America/Bogota"),
    ("Ana Beatriz Souza", "Counsellor", "Ministry of External Relations", "BR", ["pt", "es", "en"], "America/Sao_Paulo"),
    ("Daniel Okafor", "Senior Policy Officer", "Global Affairs", "CA", ["en", "fr"], "America/Toronto"),
    ("Sofía Herrera", "Adviser, Prevention of Violence", "Secretaría de Relaciones Exteriores", "MX", ["es", "en"], "America/Mexico_City"),
    ("Nguyen Thi Lan", "Deputy Director", "Ministry of Foreign Affairs", "VN", ["vi", "en"], "Asia/Ho_Chi_Minh"),
    ("Rizal Santoso", "Director, Human Rights and Humanitarian Affairs", "Ministry of Foreign Affairs", "ID", ["id", "en"], "Asia/Jakarta"),
    ("Maria Santos", "Assistant Secretary", "Department of Foreign Affairs", "PH", ["tl", "en"], "Asia/Manila"),
    ("Hiroshi Tanaka", "Director, Human Rights and Humanitarian Division", "Ministry of Foreign Affairs", "JP", ["ja", "en"], "Asia/Tokyo"),
    ("Emily Walker", "Assistant Secretary, International Security", "DFAT", "AU", ["en"], "Australia/Sydney"),
    ("Claire Dubois", "Head of the Atrocity Prevention Unit", "Ministère de l'Europe et des Affaires étrangères", "FR", ["fr", "en"], "Europe/Paris"),
    ("Jonas Becker", "Deputy Head, Crisis Prevention", "Federal Foreign Office", "DE", ["de", "en", "fr"], "Europe/Berlin"),
    ("Eva Lindqvist", "Senior Adviser", "Ministry for Foreign Affairs", "SE", ["sv", "en"], "Europe/Stockholm"),
    ("Tomasz Nowak", "Director, UN and Human Rights", "Ministry of Foreign Affairs", "PL", ["pl", "en", "ru"], "Europe/Warsaw"),
    ("Sarah O'Connor", "Policy Officer", "Department of Foreign Affairs", "IE", ["en", "ga"], "Europe/Dublin"),
    ("Marco Bianchi", "Counsellor, Human Rights", "Ministero degli Affari Esteri", "IT", ["it", "en"], "Europe/Rome"),
    ("Layla Haddad", "Director of International Organizations", "Ministry of Foreign Affairs", "JO", ["ar", "en"], "Asia/Amman"),
    ("Omar Benali", "Adviser, Human Rights", "Ministry of Foreign Affairs", "MA", ["ar", "fr"], "Africa/Casablanca"),
    ("Youssef Karim", "Senior Diplomat", "Ministry of Foreign Affairs", "EG", ["ar", "en"], "Africa/Cairo"),
    ("Noura Al-Sabah", "Researcher, Conflict Prevention", "Ministry of Foreign Affairs", "QA", ["ar", "en"], "Asia/Qatar"),
]


def _ascii(text):
    """Plain ASCII (Lucía -> Lucia): mail servers without SMTPUTF8 refuse other addresses."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def create_demo_data(seed=7):
    """Add the demo members, lessons and discussions not there yet; returns new members."""
    rng = random.Random(seed)
    regions = list(Region.ordered())
    keys = list(EXPERTISE)
    created = 0
    with db.atomic():
        for name, title, org, country, langs, tz in DEMO_MEMBERS:
            email = f"{_ascii(name.split()[0]).lower()}.{country.lower()}@demo.r2pnet.example"
            if Member.select().where(Member.email == email).exists():
                continue
            region = Region.default_for_country(country, regions)
            member = Member(email=email, name=name, title=title, organization=org,
                            country=country, region=region, timezone=tz,
                            is_focal_point=rng.random() < 0.7,
                            bio=f"{title} at the {org}. Works on atrocity prevention and early "
                                "warning; happy to share our national experience.",
                            session_version=new_session_version())
            index_member_text(member)
            member.save()
            for code in langs:
                MemberLanguage.create(member=member, code=code)
            for key in rng.sample(keys, 3):
                MemberExpertise.create(member=member, key=key)
            created += 1
    create_demo_lessons(rng)
    from r2pnet.demo_discussions import create_demo_deliberations, create_demo_discussions
    create_demo_discussions()
    create_demo_deliberations()
    return created


def create_demo_lessons(rng):
    """Add the demo lessons (once), with some uptake, through the same service as the pages."""
    from r2pnet.knowledge.models import Lesson
    from r2pnet.knowledge.services import create_lesson, record_application, set_useful
    from r2pnet.demo_lessons import demo_lessons

    authors = list(Member.select().where(Member.email.endswith("@demo.r2pnet.example"))
                   .order_by(Member.id))
    if not authors or Lesson.select().where(Lesson.author.in_(authors)).exists():
        return 0
    lessons = [create_lesson(author, data) for author, data in demo_lessons(authors)]
    for lesson in lessons:
        if lesson.is_published:
            for reader in rng.sample(authors, rng.randint(0, 4)):
                if rng.random() < 0.5:
                    record_application(reader, lesson, "We adapted this to our context.")
                set_useful(reader, lesson, True)
    return len(lessons)
