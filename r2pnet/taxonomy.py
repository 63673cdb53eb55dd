"""The R2P taxonomy (DOMAIN.md): crimes, pillars, priorities, risk factors, strategy elements."""

CRIMES = {
    "genocide": "Genocide",
    "war_crimes": "War crimes",
    "crimes_against_humanity": "Crimes against humanity",
    "ethnic_cleansing": "Ethnic cleansing",
}

PILLARS = {
    "pillar_1": "Pillar I: the protection responsibilities of the State",
    "pillar_2": "Pillar II: international assistance and capacity-building",
    "pillar_3": "Pillar III: timely and decisive response",
}

PRIORITIES = {
    "political_commitment": "Demonstrating political commitment",
    "prevention_investment": "Investing in atrocity crime prevention",
    "timely_response": "Ensuring more timely and decisive response",
    "preventing_recurrence": "Preventing the recurrence of atrocity crimes",
    "regional_action": "Enhancing regional action",
    "peer_networks": "Strengthening peer networks",
}

# Framework of Analysis for Atrocity Crimes (UN, 2014).
RISK_FACTORS = {
    1: "Situations of armed conflict or other forms of instability",
    2: "Record of serious violations of international human rights and humanitarian law",
    3: "Weakness of State structures",
    4: "Motives or incentives",
    5: "Capacity to commit atrocity crimes",
    6: "Absence of mitigating factors",
    7: "Enabling circumstances or preparatory action",
    8: "Triggering factors",
    9: "Intergroup tensions or patterns of discrimination against protected groups",
    10: "Signs of an intent to destroy in whole or in part a protected group",
    11: "Signs of a widespread or systematic attack against any civilian population",
    12: "Signs of a plan or policy to attack any civilian population",
    13: "Serious threats to those protected under international humanitarian law",
    14: "Serious threats to humanitarian or peacekeeping operations",
}

STRATEGY_ELEMENTS = {
    "risk_assessment": "Assessment of atrocity risks and sources of resilience",
    "priorities_for_action": "Priorities for domestic and international action",
    "training": "Training for officials",
    "resource_mobilization": "Mobilization of resources and political support",
}


def risk_factor_key(number):
    """The expertise key of a Framework of Analysis risk factor."""
    return f"risk_factor_{number}"


# Areas of expertise a member can claim: pillars, priorities and risk factors.
EXPERTISE_GROUPS = {
    "Pillars": dict(PILLARS),
    "Priorities": dict(PRIORITIES),
    "Risk factors (Framework of Analysis)": {
        risk_factor_key(n): f"{n}. {label}" for n, label in RISK_FACTORS.items()},
}
EXPERTISE = {key: label for group in EXPERTISE_GROUPS.values() for key, label in group.items()}
