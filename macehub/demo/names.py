"""Names for synthetic people, fitting the ethnic mix of where they live, and the ways
partner agencies come to write the same person's name differently.

British and Irish names come from Faker (en_GB). The small curated lists below cover
the other heritages common in England; they are common given and family names, not
anyone in particular. Variants (nicknames, spellings) are the ones that make record
linkage hard in practice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from faker import Faker
from faker.providers.person.en_GB import Provider as BritishNames

from macehub.people.names import name_variants


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


POOLS: dict[str, NamePool] = {
    "indian": NamePool(
        female=("Priya", "Anjali", "Simran", "Kiran", "Pooja", "Neha", "Aisha", "Harleen",
                "Jaspreet", "Divya", "Sana", "Riya", "Meera", "Navneet", "Kavita"),
        male=("Arjun", "Rohan", "Harpreet", "Gurpreet", "Vikram", "Ravi", "Sunil", "Aman",
              "Jaspal", "Rahul", "Karan", "Dev", "Manpreet", "Sanjay", "Nikhil"),
        family=("Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Mistry", "Kumar",
                "Chauhan", "Sidhu", "Dhillon", "Parmar", "Joshi", "Mehta", "Bains"),
    ),
    "pakistani": NamePool(
        female=("Aisha", "Ayesha", "Fatima", "Zainab", "Maryam", "Hira", "Amina", "Sana",
                "Iqra", "Noor", "Khadija", "Sidra", "Mariam", "Zara", "Saima"),
        male=("Mohammed", "Muhammad", "Ali", "Hamza", "Bilal", "Usman", "Imran", "Zain",
              "Adnan", "Ibrahim", "Yusuf", "Tariq", "Omar", "Asad", "Faisal"),
        family=("Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Akhtar", "Mahmood", "Shah",
                "Butt", "Rehman", "Aslam", "Malik", "Raza", "Javed", "Bashir"),
    ),
    "bangladeshi": NamePool(
        female=("Fatema", "Nusrat", "Tasnim", "Sumaiya", "Farzana", "Sharmin", "Rukhsana",
                "Tahmina", "Nadia", "Shirin", "Ruksana", "Jannat"),
        male=("Abdul", "Mohammed", "Rahim", "Shahid", "Jamal", "Rashid", "Anwar", "Saiful",
              "Kamal", "Rakib", "Tanvir", "Habib"),
        family=("Begum", "Miah", "Uddin", "Rahman", "Islam", "Ahmed", "Chowdhury", "Hoque",
                "Ali", "Khatun", "Hossain", "Alam"),
    ),
    "chinese": NamePool(
        female=("Mei", "Xin", "Ling", "Yan", "Hui", "Jing", "Li", "Wen", "Yu", "Qing"),
        male=("Wei", "Jun", "Hao", "Ming", "Chen", "Lei", "Tao", "Jian", "Kai", "Bo"),
        family=("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Wong", "Chan",
                "Lee", "Cheung", "Lin"),
    ),
    "other_asian": NamePool(
        female=("Tharshika", "Niroshini", "Sabina", "Pasang", "Laila", "Mahsa", "Anisha",
                "Sunita"),
        male=("Thusyanthan", "Kajan", "Ahmad", "Bishal", "Suman", "Farid", "Nabil",
              "Prakash"),
        family=("Sivakumar", "Rajaratnam", "Gurung", "Tamang", "Rai", "Popal", "Ahmadzai",
                "Karimi", "Perera", "Fernando"),
    ),
    "caribbean": NamePool(
        female=("Tanisha", "Shanice", "Kelsey", "Jasmine", "Chantelle", "Keisha", "Jade",
                "Monique", "Leah", "Aaliyah", "Tiana", "Shania"),
        male=("Marcus", "Tyrone", "Jermaine", "Kyle", "Andre", "Dwayne", "Leon", "Jordan",
              "Jamal", "Kai", "Tyler", "Dante"),
        family=("Campbell", "Clarke", "Francis", "Williams", "Thomas", "Brown", "Grant",
                "Gordon", "Morgan", "Reid", "Lewis", "Samuels", "Spencer", "Henry",
                "McKenzie", "Edwards"),
    ),
    "african": NamePool(
        female=("Blessing", "Chioma", "Adaeze", "Ama", "Abena", "Fatuma", "Hodan", "Amina",
                "Grace", "Precious", "Temitope", "Yetunde", "Ruth", "Esther", "Ifeoma"),
        male=("Oluwaseun", "Chinedu", "Emeka", "Kwame", "Kofi", "Abdi", "Abdirahman",
              "Samuel", "David", "Tobi", "Ibrahim", "Daniel", "Tendai", "Yonas", "Mohamed"),
        family=("Okafor", "Adeyemi", "Okonkwo", "Mensah", "Boateng", "Asante", "Mohamud",
                "Abdullahi", "Hassan", "Osei", "Adebayo", "Eze", "Nwosu", "Tesfaye",
                "Moyo"),
    ),
    "eastern_european": NamePool(
        female=("Zuzanna", "Katarzyna", "Agnieszka", "Julia", "Maja", "Oliwia", "Ioana",
                "Andreea", "Elena", "Gabriela", "Ieva", "Kristina", "Natalia", "Martyna"),
        male=("Jakub", "Kacper", "Mateusz", "Piotr", "Tomasz", "Andrei", "Ionut", "Mihai",
              "Lukas", "Mantas", "Dawid", "Szymon", "Bartosz", "Vasile"),
        family=("Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski",
                "Popescu", "Ionescu", "Stan", "Dumitru", "Kazlauskas", "Petrauskas",
                "Zielinski", "Szymanski", "Ivanov"),
    ),
    "roma": NamePool(
        female=("Denisa", "Mirela", "Roxana", "Vanesa", "Simona", "Nikola", "Lenka"),
        male=("Florin", "Marian", "Costel", "Radek", "Tomas", "Ionel", "Marek"),
        family=("Lakatos", "Balog", "Horvath", "Dudas", "Stoica", "Lacatus", "Cioaba",
                "Rostas"),
    ),
    "southern_european": NamePool(
        female=("Sofia", "Giulia", "Ana", "Beatriz", "Maria", "Chiara", "Ines", "Eleni"),
        male=("Marco", "Luca", "Joao", "Tiago", "Giorgos", "Andrea", "Diego", "Rui"),
        family=("Rossi", "Silva", "Santos", "Ferreira", "Esposito", "Papadopoulos",
                "Costa", "Romano", "Garcia"),
    ),
    "arab": NamePool(
        female=("Mariam", "Layla", "Nour", "Rania", "Huda", "Yasmin", "Salma", "Dalia"),
        male=("Ahmed", "Omar", "Khalid", "Youssef", "Karim", "Hassan", "Mustafa", "Sami"),
        family=("Al-Sayed", "Haddad", "Mansour", "Nasser", "Saleh", "Abdullah", "Al-Amin",
                "Hamdan", "Yassin"),
    ),
    "middle_eastern": NamePool(
        female=("Elif", "Zeynep", "Shirin", "Parisa", "Rojin", "Hana", "Berivan"),
        male=("Mehmet", "Emre", "Reza", "Dara", "Aram", "Kawa", "Hamid"),
        family=("Yilmaz", "Kaya", "Demir", "Hosseini", "Rahimi", "Ahmadi", "Mohammadi",
                "Barzani"),
    ),
}

BRITISH = "british"

# Faker's en_GB given names belong mostly to older generations; people born since about
# 1995 get names common among babies registered in England and Wales in those years.
MODERN_BRITISH = NamePool(
    female=("Olivia", "Amelia", "Emily", "Isla", "Ava", "Jessica", "Isabella", "Lily",
            "Sophie", "Grace", "Chloe", "Ella", "Mia", "Evie", "Poppy", "Ruby", "Charlotte",
            "Daisy", "Freya", "Lucy", "Holly", "Megan", "Ellie", "Katie", "Millie", "Lauren",
            "Erin", "Leah", "Abigail", "Phoebe", "Scarlett", "Hannah", "Amber", "Eva",
            "Jasmine", "Lola", "Niamh", "Caitlin", "Rebecca", "Courtney", "Paige", "Shannon",
            "Kayleigh", "Bethany", "Georgia", "Molly", "Summer", "Harriet"),
    male=("Oliver", "Jack", "Harry", "Jacob", "Charlie", "Thomas", "George", "Oscar",
          "James", "William", "Noah", "Alfie", "Joshua", "Leo", "Archie", "Ethan", "Mason",
          "Daniel", "Samuel", "Joseph", "Logan", "Lewis", "Max", "Dylan", "Tyler", "Callum",
          "Liam", "Kieran", "Ryan", "Connor", "Luke", "Jake", "Riley", "Harrison", "Kai",
          "Finley", "Jayden", "Reece", "Owen", "Nathan", "Bradley", "Jordan", "Aaron",
          "Lucas", "Alexander", "Matthew", "Benjamin", "Christopher"),
    family=(),
)
MODERN_FROM_YEAR = 1995

# Heritage of names by self-defined ethnic group: (given-name heritage, family-name
# heritage, weight). A person's true group picks one of these lines.
NAME_HERITAGE: dict[str, tuple[tuple[str, str, float], ...]] = {
    "W1": ((BRITISH, BRITISH, 1.0),),
    "W2": ((BRITISH, BRITISH, 1.0),),
    "W3": ((BRITISH, BRITISH, 1.0),),
    "W4": (("roma", "roma", 0.8), ("eastern_european", "roma", 0.2)),
    "W9": (("eastern_european", "eastern_european", 0.6),
           ("southern_european", "southern_european", 0.15), (BRITISH, BRITISH, 0.25)),
    "M1": ((BRITISH, BRITISH, 0.45), ("caribbean", "caribbean", 0.35),
           (BRITISH, "caribbean", 0.2)),
    "M2": ((BRITISH, BRITISH, 0.4), ("african", BRITISH, 0.3), (BRITISH, "african", 0.3)),
    "M3": ((BRITISH, BRITISH, 0.4), ("pakistani", BRITISH, 0.2), (BRITISH, "indian", 0.2),
           ("indian", "indian", 0.2)),
    "M9": ((BRITISH, BRITISH, 0.6), ("caribbean", BRITISH, 0.2), (BRITISH, "arab", 0.2)),
    "A1": (("indian", "indian", 1.0),),
    "A2": (("pakistani", "pakistani", 1.0),),
    "A3": (("bangladeshi", "bangladeshi", 1.0),),
    "A4": (("chinese", "chinese", 0.8), (BRITISH, "chinese", 0.2)),
    "A9": (("other_asian", "other_asian", 1.0),),
    "B1": (("caribbean", "caribbean", 0.6), (BRITISH, "caribbean", 0.4)),
    "B2": (("african", "african", 0.85), (BRITISH, "african", 0.15)),
    "B9": (("african", "caribbean", 0.5), ("caribbean", "african", 0.5)),
    "O2": (("arab", "arab", 1.0),),
    "O9": (("middle_eastern", "middle_eastern", 0.7), ("arab", "arab", 0.3)),
}

# Forms of a given name that a worker or a young person may use instead, and spellings
# of one name that different agencies write down: the hub's own list, which matching
# reads too (``people.names.name_variants``).
NICKNAMES: dict[str, tuple[str, ...]] = name_variants().nicknames
SPELLINGS: tuple[tuple[str, ...], ...] = name_variants().spellings
_SPELLINGS_OF: dict[str, tuple[str, ...]] = {}
for _variants in SPELLINGS:
    for _name in _variants:
        _SPELLINGS_OF[_name.lower()] = tuple(v for v in _variants if v != _name)

# Streets: a name and a kind of road, as English towns have them.
STREET_FIRST_PARTS = (
    "Mill", "Church", "Station", "Victoria", "Albert", "Queen's", "King's", "Park", "Oak",
    "Elm", "Ash", "Beech", "Willow", "Meadow", "Brook", "High", "Chapel", "Manor", "Orchard",
    "Cedar", "Springfield", "Highfield", "Grange", "Windsor", "York", "Cromwell", "Nelson",
    "Hawthorn", "Heather", "Rowan", "Sycamore", "Hollins", "Moorside", "Riverside", "Canal",
    "Market", "Well", "Bridge", "Spring", "Castle", "Abbey", "Priory", "Forge", "Tannery",
    "Foundry", "Cotton", "Wharf", "Jubilee", "Coronation", "Clarence", "Regent", "Beacon",
)
STREET_KINDS = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Crescent", "Way", "Grove",
    "Terrace", "Gardens", "Court", "Place", "Walk", "Mews", "Rise", "View", "Green",
)


# British family names with Faker's weights, accumulated once. Faker's own last_name()
# accumulates the 500 weights on every call (a fifth of the time spent drafting a
# national set of people); picking with the same random stream and the accumulated
# weights gives exactly the names it would have given.
_BRITISH_FAMILY_NAMES = tuple(BritishNames.last_names)
_BRITISH_FAMILY_WEIGHTS = tuple(accumulate(BritishNames.last_names.values()))


def british_family_name(faker: Faker) -> str:
    """What ``faker.last_name()`` returns for the en_GB locale, without its cost."""
    return faker.random.choices(_BRITISH_FAMILY_NAMES, cum_weights=_BRITISH_FAMILY_WEIGHTS)[0]


def street_name(rng: random.Random, faker: Faker) -> str:
    first = british_family_name(faker) if rng.random() < 0.3 else rng.choice(STREET_FIRST_PARTS)
    return f"{first} {rng.choice(STREET_KINDS)}"


# Neighbouring keys on a UK keyboard, for typing errors.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def heritage_for(group_code: str, rng: random.Random) -> tuple[str, str]:
    """The heritage of given and family names for a person of this ethnic group."""
    lines = NAME_HERITAGE.get(group_code, ((BRITISH, BRITISH, 1.0),))
    given, family, _ = rng.choices(lines, weights=[w for _, _, w in lines])[0]
    return given, family


def given_name(
    heritage: str, sex: str, rng: random.Random, faker: Faker, *, birth_year: int
) -> str:
    female = sex == "female" or (sex not in ("male", "female") and rng.random() < 0.5)
    if heritage == BRITISH and birth_year < MODERN_FROM_YEAR:
        return str(faker.first_name_female() if female else faker.first_name_male())
    pool = MODERN_BRITISH if heritage == BRITISH else POOLS[heritage]
    return rng.choice(pool.female if female else pool.male)


def family_name(heritage: str, rng: random.Random, faker: Faker) -> str:
    if heritage == BRITISH:
        return british_family_name(faker)
    return rng.choice(POOLS[heritage].family)


def nickname(name: str, rng: random.Random) -> str | None:
    forms = NICKNAMES.get(name)
    return rng.choice(forms) if forms else None


def other_spelling(name: str, rng: random.Random) -> str | None:
    forms = _SPELLINGS_OF.get(name.lower())
    return rng.choice(forms) if forms else None


def _neighbour_key(char: str, rng: random.Random) -> str:
    for row in _KEYBOARD_ROWS:
        index = row.find(char.lower())
        if index >= 0:
            options = [row[i] for i in (index - 1, index + 1) if 0 <= i < len(row)]
            return rng.choice(options)
    return char


def typo(name: str, rng: random.Random) -> str:
    """One typing error: two letters swapped, one dropped, doubled or mistyped. The first
    letter is kept, as it usually is in real errors, and the result always differs."""
    if len(name) < 3:
        return name + name[-1]
    for _ in range(10):
        position = rng.randrange(1, len(name) - 1)
        kind = rng.choice(("swap", "drop", "double", "neighbour"))
        if kind == "swap":
            changed = name[:position] + name[position + 1] + name[position] + name[position + 2:]
        elif kind == "drop":
            changed = name[:position] + name[position + 1:]
        elif kind == "double":
            changed = name[:position] + name[position] + name[position:]
        else:
            changed = name[:position] + _neighbour_key(name[position], rng) + name[position + 1:]
        if changed != name:
            return changed
    return name + name[-1]
