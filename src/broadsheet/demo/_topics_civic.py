"""Civic topics: a bridge reopening, a council vote, a factory closure, a hospital wing."""

from __future__ import annotations

from broadsheet.demo._topic import Topic

BRIDGE = Topic(
    key="bridge",
    tags=("transport", "infrastructure"),
    orgs=("{town} Highways Department", "{region} Roads Agency", "{town} Borough Council"),
    official_roles=("the council leader", "the highways chief", "the mayor of {town}"),
    expert_roles=("a structural engineer", "a transport planner"),
    witness_roles=("who runs a bakery by the river", "a delivery driver", "a local taxi driver"),
    numbers={"months": (6, 30), "vehicles": (4000, 40000), "year": (1890, 1975),
             "detour": (5, 40), "cost": (1.2, 48.0)},
    headlines=(
        "{river} bridge in {town} reopens after {months} months of repairs",
        "{town} bridge back in use as {cost} repair job finishes",
        "Traffic returns to {town}'s {river} crossing",
        "After {months}-month closure, {town} welcomes its bridge back",
        "{town} bridge reopening ends long detours for drivers",
        "Repaired {river} bridge opens to traffic in {town}",
    ),
    ledes=(
        "The bridge carrying the main road over the {river} in {town} reopened on {day} "
        "after {months} months of repair work costing {cost}.",
        "Drivers in {town} were able to cross the {river} again on {day}, ending a closure "
        "that had lasted {months} months.",
        "A {cost} repair of {town}'s {river} bridge was completed on {day}, and the crossing "
        "is open to traffic once more.",
        "{months} months after engineers shut it, the {river} bridge in {town} was back in "
        "service on {day}.",
        "Traffic began flowing across the {river} at {town} again on {day} as the long repair "
        "of the town's bridge came to an end.",
    ),
    facts=(
        ("Around {vehicles} vehicles used the bridge each day before it was closed.",
         "Before the closure the crossing carried about {vehicles} vehicles a day, "
         "according to {org}.",
         "Counts by {org} put daily traffic on the bridge at roughly {vehicles} vehicles.",
         "The span had been used by some {vehicles} cars, vans and lorries every day."),
        ("The structure, built in {year}, was shut when inspectors found corroded steel "
         "beneath the deck.",
         "Inspectors closed the {year} bridge after finding corrosion in its supporting "
         "steelwork.",
         "Corrosion discovered in the steel frame of the bridge, which dates from {year}, "
         "forced the closure.",
         "Engineers had found rust damage in the beams of the crossing, first opened in {year}."),
        ("During the works, drivers faced a detour of up to {detour} kilometres.",
         "The closure sent traffic on a {detour}-kilometre diversion through the {region}.",
         "Motorists had to go {detour} kilometres out of their way while the bridge was shut.",
         "A diversion of as much as {detour} kilometres was in place for the whole closure."),
    ),
    quotes_official=(
        '"This is a good day for {town}," said {official}, {official_role}. "People have been '
        'patient, and they have their bridge back."',
        '{official}, {official_role}, said the town had "waited long enough" and thanked '
        "residents for their patience.",
        '"We could not take any risks with safety," said {official}, {official_role}. "The '
        'repairs were necessary, and they were done properly."',
        '"The detour has cost local businesses dearly," said {official}, {official_role}. '
        '"Today that ends."',
        '{official}, {official_role}, told reporters the work had come in "close to budget" '
        "despite the delays.",
    ),
    quotes_other=(
        '"I used to cross it every morning to get to work," said {witness}, {witness_role}. '
        '"The detour added an hour to my day."',
        "{witness}, {witness_role}, said trade had fallen by a third while the bridge was shut.",
        '"It felt like the town had been cut in half," said {witness}, {witness_role}. "Now '
        'we are joined up again."',
        '"We were worried it would never reopen," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, called the reopening "a relief for everyone on this side '
        'of the river".',
    ),
    captions=(
        "The {river} bridge in {town} on the day it reopened.",
        "Traffic crosses the repaired bridge over the {river}.",
        "Workers finishing the deck of the {town} bridge.",
    ),
)

COUNCIL = Topic(
    key="council",
    tags=("politics", "local government"),
    orgs=("{town} Borough Council", "{town} Town Council", "{region} District Council"),
    official_roles=("the council leader", "the deputy mayor", "the planning committee chair"),
    expert_roles=("a housing economist", "a local historian"),
    witness_roles=("a councillor who voted against", "a resident of the old quarter"),
    numbers={"homes": (120, 2400), "votes_for": (16, 30), "votes_against": (4, 15),
             "pct": (10, 40), "cost": (5.0, 90.0)},
    headlines=(
        "{town} council approves plan for {homes} new homes",
        "Councillors in {town} back {cost} housing scheme by {votes_for} votes to {votes_against}",
        "{homes}-home development wins approval in {town}",
        "{town} votes yes to new housing on edge of town",
        "Green light for {town} homes after heated council debate",
        "{org} narrowly backs {homes}-home plan",
    ),
    ledes=(
        "Councillors in {town} voted {votes_for} to {votes_against} on {day} to approve a "
        "{cost} plan to build {homes} homes on the edge of the town.",
        "A plan for {homes} new homes in {town} was approved on {day} after a long meeting "
        "of {org}.",
        "{org} has given the go-ahead to a {cost} housing development, ending months of "
        "argument in the town.",
        "After a debate that lasted late into {day} evening, {town}'s councillors backed "
        "the building of {homes} homes.",
        "The {homes}-home scheme proposed for {town} cleared its final council vote on {day}.",
    ),
    facts=(
        ("The vote was {votes_for} in favour and {votes_against} against.",
         "{votes_for} councillors supported the plan and {votes_against} opposed it.",
         "The final tally was {votes_for} votes to {votes_against}.",
         "With {votes_against} members voting no, the scheme passed with {votes_for} votes."),
        ("Around {pct} percent of the homes will be offered at below-market rents.",
         "The developer has promised that {pct} percent of the properties will be affordable.",
         "Under the plan, {pct} percent of the new homes are set aside as affordable housing.",
         "Affordable housing will make up {pct} percent of the development."),
        ("The scheme is expected to cost {cost} in total.",
         "The total cost of the project has been put at {cost}.",
         "Estimates put the price of the development at {cost}.",
         "Building work is budgeted at {cost}."),
    ),
    quotes_official=(
        '"{town} needs homes that young families can afford," said {official}, {official_role}.',
        '{official}, {official_role}, said the decision was "not easy, but right for the town".',
        '"We listened to every objection," said {official}, {official_role}. "The plan is '
        'better for it."',
        '"This will shape {town} for a generation," said {official}, {official_role}.',
        '{official}, {official_role}, promised that roads and schools would be built "before '
        'the first families move in".',
    ),
    quotes_other=(
        '"The roads cannot take this many more cars," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said the plan had been rushed through.",
        '"Nobody is against homes, we are against this plan," said {witness}, {witness_role}.',
        '"The fields are part of what makes {town} what it is," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, warned that the vote "will be challenged".',
    ),
    captions=(
        "Councillors during the debate in {town} on {day}.",
        "The site on the edge of {town} where the homes will be built.",
        "The council chamber in {town}.",
    ),
)

FACTORY = Topic(
    key="factory",
    tags=("business", "jobs"),
    orgs=("{surname} Components", "{surname} and Sons Manufacturing", "{region} Textiles"),
    official_roles=("the company's managing director", "a company spokesperson"),
    expert_roles=("an economist at the {region} institute", "a labour market analyst"),
    witness_roles=("a machine operator with 20 years at the plant", "a union representative"),
    numbers={"jobs": (80, 1400), "years": (25, 110), "months": (2, 14), "pct": (5, 45)},
    headlines=(
        "{org} to close {town} factory with loss of {jobs} jobs",
        "{jobs} jobs to go as {town} plant shuts",
        "{town} factory closure: {jobs} workers face redundancy",
        "Shock in {town} as {org} announces plant closure",
        "{org} ends {years} years of production in {town}",
        "{town} loses its biggest employer as factory closes",
    ),
    ledes=(
        "{org} said on {day} that it would close its factory in {town} within {months} months, "
        "putting {jobs} jobs at risk.",
        "Workers at the {org} plant in {town} were told on {day} that the site will shut, "
        "with {jobs} jobs lost.",
        "The {town} factory of {org}, which has operated for {years} years, is to close.",
        "{jobs} people will lose their jobs after {org} confirmed on {day} that it is shutting "
        "its {town} plant.",
        "A factory that has been part of {town} life for {years} years will close within "
        "{months} months, {org} announced on {day}.",
    ),
    facts=(
        ("The plant has been in {town} for {years} years.",
         "Production began at the site {years} years ago.",
         "The factory opened {years} years ago and once employed twice as many people.",
         "{org} has made goods in {town} for {years} years."),
        ("The company blamed a {pct} percent fall in orders.",
         "Orders have dropped by {pct} percent over two years, according to the firm.",
         "{org} said demand had fallen {pct} percent.",
         "A {pct} percent drop in demand was given as the reason for the closure."),
        ("The site is expected to close within {months} months.",
         "Production will wind down over the next {months} months.",
         "The closure will be completed in about {months} months.",
         "Staff were told the last shift would take place in {months} months' time."),
    ),
    quotes_official=(
        '"This was the hardest decision we have ever made," said {official}, {official_role}.',
        "{official}, {official_role}, said the company would help staff find new work.",
        '"The market has changed and we must change with it," said {official}, {official_role}.',
        '{official}, {official_role}, said the firm was "deeply sorry" for the impact on {town}.',
        '"We owe {town} a great deal," said {official}, {official_role}.',
    ),
    quotes_other=(
        '"My father worked here, and so did his," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said staff had heard the news from a two-line email.",
        '"There is nothing else like this job around {town}," said {witness}, {witness_role}.',
        '"We will fight for every job," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, said the mood on the factory floor was "grim".',
    ),
    captions=(
        "The {org} factory gates in {town}.",
        "Workers leaving the {town} plant after the announcement.",
        "The factory on the outskirts of {town}.",
    ),
)

HOSPITAL = Topic(
    key="hospital",
    tags=("health",),
    orgs=("{town} General Hospital", "{region} Health Trust", "St {surname}'s Hospital"),
    official_roles=("the hospital's chief executive", "the trust's medical director"),
    expert_roles=("a consultant in emergency medicine", "a senior nurse"),
    witness_roles=("a patient treated on the first day", "a volunteer at the hospital"),
    numbers={"beds": (20, 160), "staff": (40, 400), "cost": (8.0, 120.0), "minutes": (20, 90)},
    headlines=(
        "New {beds}-bed wing opens at {org}",
        "{town} hospital unveils {cost} emergency wing",
        "{org} opens extension with {beds} beds",
        "{town} patients get new emergency department",
        "First patients treated in {town}'s new hospital wing",
        "{cost} wing at {org} opens its doors",
    ),
    ledes=(
        "A new wing with {beds} beds opened at {org} on {day}, the largest expansion in the "
        "hospital's history.",
        "{org} began treating patients in its {cost} emergency wing on {day}.",
        "Patients in {town} were seen in a new emergency department on {day}, after a "
        "{cost} building project.",
        "The first patients arrived at the new {beds}-bed wing of {org} on {day}.",
        "Doors opened on {day} at {town}'s new hospital wing, which adds {beds} beds.",
    ),
    facts=(
        ("The building adds {beds} beds.",
         "It brings {beds} extra beds to the hospital.",
         "Capacity rises by {beds} beds with the new building.",
         "The wing has room for {beds} patients."),
        ("{staff} staff have been hired to run it.",
         "The trust recruited {staff} nurses, doctors and porters for the wing.",
         "Some {staff} new posts were created.",
         "A team of {staff} people will work in the new department."),
        ("Waiting times in the emergency department have averaged {minutes} minutes over its "
         "target.",
         "Patients have waited on average {minutes} minutes longer than the target.",
         "Average waits have run {minutes} minutes past the official target.",
         "Waits in the old department exceeded the target by {minutes} minutes on average."),
    ),
    quotes_official=(
        '"This building will save lives," said {official}, {official_role}.',
        '{official}, {official_role}, said waits would "come down quickly".',
        '"Our staff have waited years for this," said {official}, {official_role}.',
        '"{town} deserves a modern hospital and now it has one," said {official}, '
        "{official_role}.",
        "{official}, {official_role}, thanked the builders for finishing ahead of winter.",
    ),
    quotes_other=(
        '"The old department was cramped and noisy," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said the new rooms were bright and calm.",
        '"I was seen in twenty minutes," said {witness}, {witness_role}.',
        '"It is a different world from the old building," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, said the staff "looked proud".',
    ),
    captions=(
        "The new wing at {org}.",
        "Staff in the emergency department in {town} on its first day.",
        "The entrance of the new building.",
    ),
)

CIVIC_TOPICS: tuple[Topic, ...] = (BRIDGE, COUNCIL, FACTORY, HOSPITAL)
