"""Sample lessons learned for `flask --app app demo-data`: a living knowledge base to explore."""

# (title, summary, context, practice, outcome, lesson, recommendation,
#  pillars, crimes, priorities, risk factors, strategy elements, tags)
THEMES = [
    ("A national early-warning desk inside the foreign ministry",
     "Two analysts read the Framework of Analysis against open sources every month and brief "
     "the inter-ministerial committee.",
     "Local elections were approaching and hate speech was rising on social media.",
     "- monthly review of the **14 risk factors**\n- a one-page brief to the committee\n"
     "- a shared register of *sources of resilience*",
     "Three early briefings led to preventive dialogue in two districts.",
     "Start small, but make the brief regular: decision makers learn to expect it.",
     "Give the desk a fixed slot on the committee's agenda.",
     ["pillar_1"], ["genocide", "crimes_against_humanity"], ["prevention_investment"],
     [1, 8, 9], ["risk_assessment"], ["early warning", "elections", "hate speech"]),
    ("Training magistrates on atrocity crimes",
     "A two-day course for judges and prosecutors on the legal definitions of the four crimes.",
     "Few magistrates had handled cases under the new criminal code.",
     "Case studies from regional courts, taught by peers with a national law school.",
     "140 magistrates trained in two years; the course is now part of initial training.",
     "Peer trainers from the region were trusted more than international experts.",
     "Build the course into the curriculum instead of running it as a project.",
     ["pillar_1", "pillar_2"], ["war_crimes", "crimes_against_humanity"],
     ["preventing_recurrence"], [2, 3], ["training"], ["justice", "training of officials"]),
    ("Inter-communal dialogue before contested elections",
     "Local peace committees brought community leaders together in the months before polling.",
     "Two communities had clashed after the previous elections.",
     "Women's groups and religious leaders co-chaired the committees; the ministry funded "
     "transport and meeting rooms only.",
     "No violence was reported in the districts with committees.",
     "Let local leaders own the process; the State enables rather than leads.",
     "Fund committees early, at least six months before the vote.",
     ["pillar_1"], ["ethnic_cleansing"], ["political_commitment"], [8, 9],
     ["priorities_for_action"], ["dialogue", "elections", "women and peace"]),
    ("Regional peer review of national strategies",
     "Focal points of five neighbouring States reviewed each other's draft national strategies.",
     "Several States were writing their first national strategy at the same time.",
     "Each draft was read by two peers against the four elements of a national strategy; "
     "the regional organization hosted the meetings.",
     "All five strategies were adopted within a year.",
     "Peers ask the questions that a domestic review does not.",
     "Make peer review a standing item of the regional network.",
     ["pillar_2"], [], ["regional_action", "peer_networks"], [6],
     ["risk_assessment", "priorities_for_action"], ["peer review", "national strategy"]),
    ("Controlling the flow of small arms in border regions",
     "A joint registry and marking programme with neighbouring States.",
     "Armed groups crossed a porous border with weapons bought in neighbouring markets.",
     "Marking of State stocks, a shared registry and joint patrols at three crossings.",
     "Seizures rose and the price of rifles in local markets doubled.",
     "Capacity to commit atrocity crimes can be reduced by unglamorous logistics.",
     "Budget for the registry's maintenance, not only for its launch.",
     ["pillar_2"], ["war_crimes"], ["prevention_investment"], [5, 7],
     ["resource_mobilization"], ["small arms", "borders"]),
    ("Memorialization and truth-telling after mass violence",
     "A national commission collected testimonies and built community memorials.",
     "A generation had grown up without a shared account of the violence.",
     "Testimonies in local languages, an archive open to researchers, school curricula.",
     "Surveys show higher trust between communities in memorial districts.",
     "Recognition of victims is part of prevention, not only of justice.",
     "Protect the archive by law from the start.",
     ["pillar_1"], ["genocide"], ["preventing_recurrence"], [2, 4], [],
     ["memorialization", "transitional justice"]),
    ("Mobilizing parliament for a national focal point",
     "A cross-party group of parliamentarians secured a budget line for the focal point.",
     "The focal point had no staff and no budget.",
     "Briefings for committee chairs, a visit to a neighbouring focal point, a short bill.",
     "A permanent budget line and two staff positions.",
     "Political commitment follows from understanding; brief early and often.",
     "Identify a champion in every major party.",
     ["pillar_1"], [], ["political_commitment", "prevention_investment"], [6],
     ["resource_mobilization"], ["parliament", "budget"]),
    ("Protecting humanitarian access during armed conflict",
     "A negotiated framework for humanitarian convoys agreed with all parties.",
     "Convoys were attacked and aid workers detained.",
     "Confidential talks facilitated by the regional organization; a monitoring cell.",
     "Access improved for eight months; attacks fell sharply.",
     "Quiet diplomacy worked where public statements had failed.",
     "Keep a standing channel with every party, even in calm periods.",
     ["pillar_2", "pillar_3"], ["war_crimes"], ["timely_response"], [1, 13, 14], [],
     ["humanitarian access", "mediation"]),
]


def demo_lessons(authors):
    """(author, LessonSchema-shaped data) pairs for the demo, spread over the given authors."""
    pairs = []
    visibilities = ["network", "network", "public", "region", "network"]
    for n in range(32):
        theme = THEMES[n % len(THEMES)]
        author = authors[n % len(authors)]
        (title, summary, context, practice, outcome, lesson, recommendation, pillars, crimes,
         priorities, risk_factors, strategy, tags) = theme
        suffix = "" if n < len(THEMES) else f" ({author.country}, {2019 + n % 7})"
        pairs.append((author, {
            "title": title + suffix, "summary": summary, "context_md": context,
            "practice_md": practice, "outcome_md": outcome, "lesson_md": lesson,
            "recommendation_md": recommendation, "country": author.country,
            "region_id": author.region_id, "attribution": "anonymous" if n % 6 == 5 else "office",
            "visibility": visibilities[n % len(visibilities)], "pillars": pillars,
            "crimes": crimes, "priorities": priorities, "risk_factors": risk_factors,
            "strategy": strategy, "tags": tags, "version": None, "publish": n % 9 != 8,
        }))
    return pairs
