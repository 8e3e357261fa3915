"""Other topics: a storm, a science result, a sports final, an archaeological find."""

from __future__ import annotations

from broadsheet.demo._topic import Topic

STORM = Topic(
    key="storm",
    tags=("weather",),
    orgs=("the {region} Weather Service", "{region} Emergency Management", "{town} Fire Service"),
    official_roles=("the emergency services coordinator", "the regional fire chief"),
    expert_roles=("a forecaster", "a climate scientist at the {region} institute"),
    witness_roles=("whose roof was damaged", "who runs a campsite near the coast"),
    numbers={"wind": (90, 170), "homes": (800, 30000), "rain": (40, 180), "hours": (3, 40)},
    headlines=(
        "Storm brings {wind} km/h winds to {town}",
        "{homes} homes without power as storm hits {region}",
        "Storm leaves trail of damage across {town}",
        "{town} cleans up after night of {wind} km/h gusts",
        "Power cuts and fallen trees as storm batters {region}",
        "{rain}mm of rain: storm floods streets in {town}",
    ),
    ledes=(
        "A storm with gusts of up to {wind} km/h swept through {town} overnight into {day}, "
        "leaving {homes} homes without electricity.",
        "Residents of {town} woke on {day} to fallen trees and flooded roads after a storm "
        "crossed the {region}.",
        "Winds reaching {wind} km/h and {rain}mm of rain hit the {region} on {day}.",
        "Thousands of households in and around {town} lost power on {day} as a storm struck.",
        "Emergency crews in the {region} worked through {day} after a fierce storm brought "
        "down power lines around {town}.",
    ),
    facts=(
        ("The strongest gust, {wind} km/h, was recorded near {town}.",
         "{org} measured gusts of {wind} km/h.",
         "Wind speeds peaked at {wind} km/h, according to {org}.",
         "A gust of {wind} km/h was the highest reading of the night."),
        ("About {homes} homes lost power.",
         "Power was cut to roughly {homes} households.",
         "{homes} properties were left without electricity.",
         "The electricity network reported {homes} customers cut off."),
        ("{rain}mm of rain fell in {hours} hours.",
         "In {hours} hours, {rain}mm of rain was recorded.",
         "Rain gauges showed {rain}mm over {hours} hours.",
         "The storm dropped {rain}mm of rain in the space of {hours} hours."),
    ),
    quotes_official=(
        '"Please stay away from fallen lines," said {official}, {official_role}.',
        "{official}, {official_role}, said crews would work through the night.",
        '"We have not seen a night like this in years," said {official}, {official_role}.',
        '{official}, {official_role}, urged drivers to "stay at home if you can".',
        '"Every crew we have is out on the roads," said {official}, {official_role}.',
    ),
    quotes_other=(
        '"The noise was terrifying," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said the wind had torn tiles from half the street.",
        '"I have lived here forty years and never seen it this bad," said {witness}, '
        "{witness_role}.",
        '"We spent the night in the kitchen with candles," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, said neighbours had "come together" in the morning.',
    ),
    captions=(
        "A fallen tree blocks a road in {town}.",
        "Waves break over the sea wall near {town}.",
        "Crews repair power lines in the {region}.",
    ),
)

SCIENCE = Topic(
    key="science",
    tags=("science", "research"),
    orgs=("the University of {town}", "the {region} Institute of Technology",
          "the {surname} Research Centre"),
    official_roles=("who led the study", "the lead author of the paper"),
    expert_roles=("a biologist who was not involved in the work", "an independent reviewer"),
    witness_roles=("a co-author of the study", "a doctoral student on the team"),
    numbers={"species": (3, 40), "samples": (200, 9000), "pct": (12, 80), "years": (3, 15)},
    headlines=(
        "Researchers at {org} find {species} new beetle species",
        "{species} unknown species discovered in {region} soil",
        "{town} scientists report {pct} percent drop in river insects",
        "Study from {org} maps life in {samples} soil samples",
        "Hidden diversity: {org} team finds {species} new species",
        "Decade-long survey finds insects in {region} rivers in decline",
    ),
    ledes=(
        "Scientists at {org} said on {day} they had identified {species} beetle species new "
        "to science in soil from the {region}.",
        "A study of {samples} soil samples from the {region} has turned up {species} "
        "previously unknown species, researchers at {org} reported.",
        "Insect numbers in rivers of the {region} fell by {pct} percent over {years} years, "
        "according to a study published on {day} by {org}.",
        "A team from {org} has described {species} new species after a {years}-year survey.",
        "Researchers working in the {region} have found that river insects declined by {pct} "
        "percent, in a study released on {day}.",
    ),
    facts=(
        ("The team analysed {samples} samples.",
         "In all, {samples} samples were collected and examined.",
         "The work rests on {samples} samples gathered by volunteers.",
         "Researchers examined {samples} soil and water samples."),
        ("The survey ran for {years} years.",
         "Field work took {years} years.",
         "Data were collected over a period of {years} years.",
         "It took the group {years} years to complete the survey."),
        ("Insect numbers at the sites fell by {pct} percent over the period.",
         "The study found a {pct} percent decline at the monitored sites.",
         "Counts were {pct} percent lower at the end of the survey than at the start.",
         "A decline of {pct} percent was measured across the sites."),
    ),
    quotes_official=(
        '"We were surprised by how much we did not know," said {official}, {official_role}.',
        "{official}, {official_role}, said the results should be repeated elsewhere.",
        '"Every sample told us something new," said {official}, {official_role}.',
        '{official}, {official_role}, called the findings "a warning and an opportunity".',
        '"The soil under our feet is still largely unexplored," said {official}, '
        "{official_role}.",
    ),
    quotes_other=(
        '"This is careful, valuable work," said {expert}, {expert_role}.',
        "{expert}, {expert_role}, said the sample size made the result convincing.",
        '"I would like to see the same survey in other regions," said {expert}, {expert_role}.',
        '"The numbers are striking," said {expert}, {expert_role}.',
        '{expert}, {expert_role}, said the study was "a model of patient field work".',
    ),
    captions=(
        "One of the newly described species, under a microscope at {org}.",
        "Researchers collecting samples in the {region}.",
        "A sampling site on the {river}.",
    ),
)

SPORTS = Topic(
    key="sports",
    tags=("sport", "football"),
    orgs=("the {region} Football League", "the {region} Cup committee"),
    official_roles=("the winning manager", "the club captain"),
    expert_roles=("a former player turned commentator", "the losing coach"),
    witness_roles=("a supporter since childhood", "a season-ticket holder"),
    numbers={"goals1": (2, 5), "goals2": (0, 1), "crowd": (3000, 42000), "years": (5, 60)},
    headlines=(
        "{team1} beat {team2} {goals1}-{goals2} to win the {region} Cup",
        "{team1} lift cup for first time in {years} years",
        "Cup final: {team1} {goals1}, {team2} {goals2}",
        "{team2} fall short as {team1} take the {region} Cup",
        "{crowd} fans see {team1} win the cup final",
        "Glory for {team1} in {region} Cup final",
    ),
    ledes=(
        "{team1} won the {region} Cup on {day}, beating {team2} {goals1}-{goals2} in front of "
        "{crowd} supporters.",
        "A crowd of {crowd} watched {team1} defeat {team2} {goals1}-{goals2} in the final on "
        "{day}.",
        "{team1} ended a {years}-year wait for a trophy with a {goals1}-{goals2} win over "
        "{team2} on {day}.",
        "{team2} were beaten {goals1}-{goals2} by {team1} in the {region} Cup final on {day}.",
        "The {region} Cup went to {team1} on {day} after a {goals1}-{goals2} victory over "
        "{team2}.",
    ),
    facts=(
        ("The attendance was {crowd}.",
         "{crowd} people were in the stadium.",
         "A sell-out crowd of {crowd} filled the ground.",
         "The match was watched by {crowd} spectators."),
        ("It is the club's first trophy in {years} years.",
         "{team1} had not won a final for {years} years.",
         "The win ends a {years}-year run without silverware.",
         "Their previous cup win came {years} years ago."),
        ("The final score was {goals1}-{goals2}.",
         "{team1} scored {goals1} times and conceded {goals2}.",
         "The match finished {goals1}-{goals2}.",
         "It ended {goals1}-{goals2} after ninety minutes."),
    ),
    quotes_official=(
        '"These players deserve everything tonight," said {official}, {official_role} of '
        "{team1}.",
        "{official}, {official_role} of {team1}, dedicated the win to the supporters.",
        '"We believed from the first minute," said {official}, {official_role} of {team1}.',
        '"{years} years is a long time, and this is for everyone who waited," said {official}, '
        "{official_role} of {team1}.",
        "{official}, {official_role} of {team1}, said the team had played its best game of "
        "the season.",
    ),
    quotes_other=(
        '"I cried at the final whistle," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said the town would be celebrating all week.",
        '"My grandfather told me about the last time," said {witness}, {witness_role}.',
        '"Best day of my life," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, said the atmosphere had been "electric".',
    ),
    captions=(
        "{team1} players celebrate with the trophy.",
        "Supporters of {team1} during the final.",
        "The {region} Cup final on {day}.",
    ),
)

ARCHAEOLOGY = Topic(
    key="archaeology",
    tags=("history", "archaeology"),
    orgs=("the {region} Archaeological Trust", "the {town} Museum", "the University of {town}"),
    official_roles=("who directed the dig", "the site supervisor"),
    expert_roles=("a historian at the {region} museum", "a specialist in ancient coins"),
    witness_roles=("a volunteer digger", "the farmer who owns the field"),
    numbers={"coins": (30, 2600), "century": (2, 14), "depth": (1, 6), "weeks": (2, 20)},
    headlines=(
        "Hoard of {coins} coins found near {town}",
        "{century}-century treasure unearthed in {region} field",
        "Archaeologists in {town} uncover {coins} silver coins",
        "Farmer's field near {town} yields ancient hoard",
        "{coins}-coin hoard discovered by {town} volunteers",
        "Buried treasure: dig near {town} finds {century}-century coins",
    ),
    ledes=(
        "A hoard of {coins} silver coins dating from the {century} century has been found in "
        "a field near {town}, {org} said on {day}.",
        "Volunteers digging near {town} have uncovered {coins} coins buried about {depth} "
        "metres below ground.",
        "{org} announced on {day} the discovery of a {century}-century coin hoard in the "
        "{region}.",
        "Archaeologists working outside {town} have recovered {coins} coins from a buried pot.",
        "A field near the {river} has given up a hoard of {coins} coins, archaeologists from "
        "{org} said on {day}.",
    ),
    facts=(
        ("The coins were about {depth} metres down.",
         "The pot lay {depth} metres below the surface.",
         "Diggers found the hoard at a depth of {depth} metres.",
         "It was buried some {depth} metres deep."),
        ("The excavation lasted {weeks} weeks.",
         "The team worked on the site for {weeks} weeks.",
         "Digging went on for {weeks} weeks before the find was announced.",
         "It took {weeks} weeks to lift everything from the ground."),
        ("Experts date the coins to the {century} century.",
         "The coins were struck in the {century} century, according to {org}.",
         "Initial study places the hoard in the {century} century.",
         "The oldest coins are from the {century} century."),
    ),
    quotes_official=(
        '"We knew within minutes that this was special," said {official}, {official_role}.',
        "{official}, {official_role}, said the hoard would go on display in {town}.",
        '"Finds like this happen once in a career," said {official}, {official_role}.',
        '{official}, {official_role}, described the pot as "remarkably intact".',
        '"Every coin has a story," said {official}, {official_role}.',
    ),
    quotes_other=(
        '"I thought it was a stone at first," said {witness}, {witness_role}.',
        "{witness}, {witness_role}, said the field had been ploughed for generations.",
        '"My hands were shaking," said {witness}, {witness_role}.',
        '"It is the find of a lifetime," said {witness}, {witness_role}.',
        '{witness}, {witness_role}, said the discovery made the long days "worth it".',
    ),
    captions=(
        "Some of the coins found near {town}.",
        "Volunteers at the dig site in the {region}.",
        "The pot in which the hoard was buried.",
    ),
)

WORLD_TOPICS: tuple[Topic, ...] = (STORM, SCIENCE, SPORTS, ARCHAEOLOGY)
