"""The person name index: in step with every write, ranked in the database exactly as
Jaro-Winkler ranks in Python, and one search costs the same number of queries however
many people it finds."""

from __future__ import annotations

import datetime as dt
import random

import jellyfish
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.people.codes import AliasKind
from macehub.people.models import (
    Person,
    PersonAlias,
    PersonNameForm,
    PersonNameVocabularyWord,
    PersonNameWord,
)
from macehub.people.names import fold
from macehub.people.search import (
    CLOSE_NAME_SCORE,
    close_name_page,
    exact_name_page,
    name_page,
    ranked_people,
)
from macehub.people.search_index import name_form_similarity, rebuild_search_index
from macehub.people.selectors import match_people, people_for, search_people
from macehub.people.services import PersonDetails, create_person, update_person_details
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)


def _index() -> set[tuple[int, int | None, str, str]]:
    return set(PersonNameForm.objects.values_list("person_id", "alias_id", "words", "keys"))


def _words() -> list[tuple[int, int | None, str, str, str]]:
    return sorted(PersonNameWord.objects.values_list(
        "person_id", "alias_id", "word", "person_family_name", "person_given_name"), key=str)


def _words_of_forms() -> list[tuple[int, int | None, str, str, str]]:
    """The words each form should have, each with its person's order of name."""
    order = {pk: (family, given) for pk, family, given
             in Person.objects.values_list("pk", "family_name", "given_name")}
    return sorted(((person, alias, word, *order[person]) for person, alias, words, _
                   in _index() for word in words.split()), key=str)


def _vocabulary() -> set[str]:
    return set(PersonNameVocabularyWord.objects.values_list("word", flat=True))


def _rebuilt() -> set[tuple[int, int | None, str, str]]:
    held = _index()
    held_words = _words()
    assert held_words == _words_of_forms(), "the words differ from their forms'"
    assert {word for _, _, word, *_ in held_words} <= _vocabulary(), (
        "a word of the index is missing from its vocabulary")
    rebuild_search_index(batch_size=2)
    rebuilt = _index()
    assert held == rebuilt, "the index kept by the writes differs from a fresh build"
    assert _words() == held_words, "the words kept by the writes differ from a fresh build"
    return rebuilt


def test_each_write_keeps_the_index_as_a_fresh_build_would(analyst: User, hub_agency: Agency,
                                                          hub_team: Team) -> None:
    creator = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    person = create_person(
        actor=creator,
        details=PersonDetails(given_name="Mohammed", middle_names="Ali", family_name="Khan"),
        alias=("Mo", "Kahn"),
    )
    assert {(words, alias is None) for _, alias, words, _ in _rebuilt()} == {
        (" mohammed ali khan ", True), (" mo kahn ", False)}

    update_person_details(actor=creator, person_pk=person.pk, expected_version=person.version,
                          details=PersonDetails(given_name="Muhammad", family_name="Khan"))
    own = PersonNameForm.objects.get(person=person, alias=None)
    assert (own.words, own.keys) == (" muhammad khan ", " MHMT KHN ")
    assert set(PersonNameWord.objects.filter(person=person, alias=None)
               .values_list("word", flat=True)) == {"muhammad", "khan"}
    _rebuilt()

    alias = PersonAlias.objects.create(person=person, kind=AliasKind.NICKNAME, given_name="Kaz")
    alias.family_name = "O'Neill-Smith"
    alias.save()
    assert PersonNameForm.objects.get(alias=alias).words == " kaz oneillsmith "
    _rebuilt()

    # A new family name moves the person's alias words in the order of names too.
    person.refresh_from_db()
    person.family_name = "Cann"
    person.save()
    assert set(PersonNameWord.objects.filter(alias=alias).values_list(
        "person_family_name", "person_given_name")) == {("Cann", "Muhammad")}
    _rebuilt()

    other = make_person(hub_agency, given_name="Omar", family_name="Shah")
    alias.person = other  # an alias moved to another person (a merge) takes its form
    alias.save()
    assert PersonNameForm.objects.get(alias=alias).person_id == other.pk
    assert set(PersonNameWord.objects.filter(alias=alias).values_list("person_id", flat=True)
               ) == {other.pk}
    _rebuilt()
    alias.person = person
    alias.save()

    alias_pk = alias.pk
    alias.delete()
    assert not PersonNameForm.objects.filter(alias_id=alias_pk).exists()
    assert not PersonNameWord.objects.filter(alias_id=alias_pk).exists()
    person.given_name = person.family_name = person.middle_names = ""
    person.save()  # known only by an alias now: no own form
    assert list(PersonNameForm.objects.filter(person=person).values_list("words", flat=True)
                ) == [" mo kahn "]
    _rebuilt()

    _rebuilt()

    person.delete()
    assert set(PersonNameForm.objects.values_list("person_id", flat=True)) == {other.pk}
    assert set(PersonNameWord.objects.values_list("person_id", flat=True)) == {other.pk}


def test_a_save_that_leaves_the_names_alone_writes_nothing_to_the_index(
        hub_agency: Agency) -> None:
    person = make_person(hub_agency, given_name="Ruby", family_name="Hall")
    with CaptureQueriesContext(connection) as queries:
        person.save(update_fields=["nationality"])
    assert not [q for q in queries if "personnameform" in q["sql"].lower()]


def test_rebuild_indexes_people_written_in_bulk(hub_agency: Agency, analyst: User) -> None:
    people = Person.objects.bulk_create([
        Person(owning_agency=hub_agency, given_name=f"Name{i}", family_name="Bulkley")
        for i in range(5)])
    PersonAlias.objects.bulk_create([PersonAlias(person=people[0], family_name="Smyth")])
    assert search_people(user=analyst, text="Bulkley") == []  # no signals for bulk writes
    assert rebuild_search_index(batch_size=2) == 6
    assert {"bulkley", "smyth", "name"} <= _vocabulary()
    assert len(search_people(user=analyst, text="Bulkley")) == 5
    assert [m.person.pk for m in search_people(user=analyst, text="Smith")] == [people[0].pk]


@pytest.mark.parametrize(("token", "words"), [
    ("smith", " smyth "), ("kahn", " mohammed khan "), ("martha", " marhta "),
    ("dwayne", " duane "), ("dixon", " dicksonx "), ("a", " amy cole "),
    ("jones", " jo nes johnson "), ("crate", " trace "), ("abcdefgh", " hgfedcba "),
    ("zbigniew", " grace wilson "), ("kay", " kay "),
])
def test_the_database_similarity_is_jaro_winkler(token: str, words: str) -> None:
    expected = max(jellyfish.jaro_winkler_similarity(token, w) for w in words.split())
    assert name_form_similarity(token, words) == pytest.approx(expected, abs=1e-12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_form_similarity(%s, %s)", [token, words])
        (in_database,) = cursor.fetchone()
    assert in_database == pytest.approx(expected, abs=1e-9)


def test_ranking_is_the_jaro_winkler_order_worked_out_in_python(
        analyst: User, hub_agency: Agency) -> None:
    # Found by the whole word, the phonetic key (Smyth, Smythe) or the start of a word
    # (Smithson, Smithers, Smithy) on every engine; Brown not at all.
    names = [("Anna", "Smith"), ("Ben", "Smyth"), ("Cara", "Smithson"), ("Dan", "Smythe"),
             ("Eve", "Smithy"), ("Fay", "Smith"), ("Gus", "Smithers"), ("Hal", "Brown")]
    for given, family in names:
        make_person(hub_agency, given_name=given, family_name=family)
    typed = "Smith"
    matches = search_people(user=analyst, text=typed)

    # The contract worked out independently: the best Jaro-Winkler similarity of the
    # searched word to any word of the name, at least 0.72, best first, then by name.
    expected = []
    for person in Person.objects.all():
        best = max(jellyfish.jaro_winkler_similarity(fold(typed), fold(word))
                   for word in person.full_name.split())
        if best >= 0.72:
            expected.append((-best, person.family_name, person.given_name, person.pk))
    expected.sort()
    assert len(expected) >= 5, "the comparison ran on too few people to mean anything"
    assert [m.person.pk for m in matches] == [pk for *_, pk in expected]
    assert [m.score for m in matches] == [round(-best, 3) for best, *_ in expected]
    exact = [m for m in matches if m.person.family_name == "Smith"]
    assert [m.reasons for m in exact] == [["name matches"], ["name matches"]]
    assert matches[-1].reasons == ["name is similar"]


def test_identifier_and_birth_date_add_to_the_name_score(analyst: User, hub_agency: Agency
                                                         ) -> None:
    born = dt.date(2010, 3, 9)
    plain = make_person(hub_agency, given_name="Leah", family_name="Price")
    dated = make_person(hub_agency, given_name="Leah", family_name="Pryce", date_of_birth=born)
    matches = search_people(user=analyst, text="Leah Price", date_of_birth=born)
    # Only the name born that day (or day and month swapped) counts, with its date.
    assert [(m.person.pk, m.reasons[-1]) for m in matches] == [
        (dated.pk, "date of birth matches")]
    assert plain.pk not in [m.person.pk for m in matches]


def test_a_name_and_an_identifier_find_by_either(analyst: User, hub_agency: Agency) -> None:
    named = make_person(hub_agency, given_name="Leah", family_name="Price")
    held = make_person(hub_agency, given_name="Omar", family_name="Shah")
    held.identifiers.create(kind="nhs", value="9434765919")
    make_person(hub_agency, given_name="Ruby", family_name="Hall")
    with CaptureQueriesContext(connection) as queries:
        matches = search_people(user=analyst, text="Leah Price", identifier="943 476 5919")
    assert [(m.person.pk, m.reasons) for m in matches] == [
        (held.pk, ["identifier matches", "name is similar"]), (named.pk, ["name matches"])]
    if connection.vendor == "postgresql":
        # The name's people and the identifier's both read by key (InOnce), not as a
        # filter over every person held.
        ranked = next(q["sql"] for q in queries if "name_form_similarity" in q["sql"])
        assert ranked.count("= ANY(ARRAY(SELECT") == 2


def _search_queries(user: User, text: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        found = len(search_people(user=user, text=text))
    return found, len(queries)


def test_a_search_costs_the_same_queries_however_many_it_finds(analyst: User,
                                                                hub_agency: Agency) -> None:
    search_people(user=analyst, text="warm up")  # what the user's access costs, once
    for i in range(3):
        person = make_person(hub_agency, given_name=f"Few{chr(97 + i)}", family_name="Oakley")
        PersonAlias.objects.create(person=person, given_name="Ollie", family_name="Oakes")
    few = _search_queries(analyst, "Oakley")
    for i in range(30):
        person = make_person(hub_agency, given_name=f"Many{chr(97 + i % 26)}",
                             family_name="Thornbury")
        PersonAlias.objects.create(person=person, given_name="Tom", family_name="Thorn")
    many = _search_queries(analyst, "Thornbury")
    assert (few[0], many[0]) == (3, 30)
    assert few[1] == many[1]


def test_a_name_that_fills_the_page_whole_gives_the_page_ranking_would_give(
        analyst: User, hub_agency: Agency) -> None:
    for given in ("Zoe", "Amy", "Kit", "Bea", "Amy"):
        make_person(hub_agency, given_name=given, family_name="Smith")
    alias_only = make_person(hub_agency, given_name="Lou", family_name="Baker")
    PersonAlias.objects.create(person=alias_only, given_name="Lou", family_name="Smith")
    for family in ("Smyth", "Smithson", "Smythe"):
        make_person(hub_agency, given_name="Ann", family_name=family)
    within = people_for(analyst)
    tokens = [fold("Smith")]
    ranked = list(ranked_people(within, tokens=tokens))

    for limit in (3, 6):
        with CaptureQueriesContext(connection) as queries:
            page = exact_name_page(within, tokens, limit)
        assert page == ranked[:limit]
        # Read from the whole words: nobody's name was scored.
        assert not any("name_form_similarity" in q["sql"] for q in queries)
        # The word's rows read in order of name from the words, then asked of the
        # people the user may see: not every person walked in order of name.
        assert [("people_personnameword" in q["sql"].lower(), 'people_person"' in q["sql"].lower())
                for q in queries] == [(True, False), (False, True)]
        found = match_people(within, text="smith", limit=limit)
        assert [m.person.pk for m in found] == [row["pk"] for row in ranked[:limit]]
        assert {tuple(m.reasons) for m in found} == {("name matches",)}

    # Fewer whole-word matches than the page holds: everyone is ranked as before,
    # the similar names after the exact ones.
    assert exact_name_page(within, tokens, 7) is None
    found = match_people(within, text="smith", limit=9)
    assert [m.person.pk for m in found] == [row["pk"] for row in ranked[:9]]
    assert found[-1].reasons == ["name is similar"]
    # A date of birth or an identifier always ranks everyone: they add to the score.
    born = dt.date(2011, 5, 1)
    dated = make_person(hub_agency, given_name="Ann", family_name="Smyth", date_of_birth=born)
    assert [m.person.pk for m in match_people(within, text="smith", date_of_birth=born,
                                              limit=3)] == [dated.pk]


def test_the_whole_name_page_needs_every_word_in_one_name(analyst: User,
                                                           hub_agency: Agency) -> None:
    own = make_person(hub_agency, given_name="John", family_name="Smith")
    by_alias = make_person(hub_agency, given_name="Xan", family_name="Yule")
    PersonAlias.objects.create(person=by_alias, given_name="John", family_name="Smith")
    # "john" in their own name and "smith" in an alias: not one name carrying both.
    split = make_person(hub_agency, given_name="John", family_name="Brown")
    PersonAlias.objects.create(person=split, given_name="Tom", family_name="Smith")
    within = people_for(analyst)
    tokens = ["john", "smith"]
    ranked = list(ranked_people(within, tokens=tokens))

    page = exact_name_page(within, tokens, 2)
    assert page == ranked[:2]
    assert {row["pk"] for row in page} == {own.pk, by_alias.pk}
    assert exact_name_page(within, tokens, 3) is None  # only two carry both whole
    assert exact_name_page(within, ["smith", "john", "smith"], 2) == page


def test_one_whole_word_reads_its_page_in_order_from_the_words_alone(
        analyst: User, hub_agency: Agency) -> None:
    for given in ("Zoe", "Amy", "Kit", "Bea", "Amy", "Cy"):
        make_person(hub_agency, given_name=given, family_name="Smith")
    # Carrying the word in their own name and in an alias: one person on the page.
    both = make_person(hub_agency, given_name="Al", family_name="Smith")
    PersonAlias.objects.create(person=both, given_name="Alan", family_name="Smith")
    # Known only by an alias: listed by their own name, ahead of the Smiths.
    alias_only = make_person(hub_agency, given_name="Lou", family_name="Baker")
    PersonAlias.objects.create(person=alias_only, given_name="Lou", family_name="Smith")
    within = people_for(analyst)
    tokens = ["smith"]
    ranked = list(ranked_people(within, tokens=tokens))
    assert ranked[0]["pk"] == alias_only.pk

    for limit in (2, 4):
        with CaptureQueriesContext(connection) as queries:
            page = exact_name_page(within, tokens, limit)
        assert page == ranked[:limit]
        # About a page of the word's rows in order (no person read), then who of them
        # the user may see.
        assert len(queries) == 2
        first = queries[0]["sql"].lower()
        assert "people_personnameword" in first and "people_person\"" not in first
        assert f"limit {2 * limit}" in first


def test_one_whole_word_still_fills_the_page_past_people_the_user_may_not_see(
        analyst: User, hub_agency: Agency) -> None:
    # Restricted Smiths first in order of name: the analyst is allocated to none of
    # them, so they may not know they exist, and the page is the Smiths after them.
    hidden = [make_person(hub_agency, given_name=f"A{chr(97 + i)}", family_name="Smith",
                          is_restricted=True) for i in range(5)]
    shown = [make_person(hub_agency, given_name=f"B{chr(97 + i)}", family_name="Smith")
             for i in range(3)]
    within = people_for(analyst)
    assert not within.filter(pk__in=[p.pk for p in hidden]).exists()
    ranked = list(ranked_people(within, tokens=["smith"]))
    assert [row["pk"] for row in ranked] == [p.pk for p in shown]
    for limit in (2, 3):
        page = exact_name_page(within, ["smith"], limit)
        assert page == ranked[:limit]
    assert exact_name_page(within, ["smith"], 4) is None
    assert [m.person.pk for m in search_people(user=analyst, text="Smith")] == [
        p.pk for p in shown]


def test_the_name_page_is_the_page_ranking_gives(analyst: User, hub_agency: Agency) -> None:
    """A search by name alone is ranked by ``name_page``: the same people, scores and
    order as ``ranked_people`` gives, for one word or several, across people's own
    names and their aliases, and never anyone the user may not see."""
    for given, family in [("John", "Smith"), ("Jon", "Smyth"), ("Jane", "Smith"),
                          ("Johnny", "Smithers"), ("Joan", "Smit"), ("Sean", "Smith"),
                          ("John", "Brown"), ("Amelia", "Thorne"), ("Amelie", "Thorn"),
                          ("Mohammed", "Khan"), ("Muhammad", "Kahn"), ("Tom", "Jones"),
                          ("Jo", "Smith"), ("John", "Smith")]:
        make_person(hub_agency, given_name=given, family_name=family)
    known_as = make_person(hub_agency, given_name="Xan", family_name="Yule")
    PersonAlias.objects.create(person=known_as, given_name="Johnnie", family_name="Smyth")
    # Closer by an alias than by their own name: their best name counts.
    better_alias = make_person(hub_agency, given_name="Jon", family_name="Brown")
    PersonAlias.objects.create(person=better_alias, given_name="John", family_name="Smith")
    # Restricted: not the analyst's to find.
    hidden = make_person(hub_agency, given_name="John", family_name="Smith")
    Person.objects.filter(pk=hidden.pk).update(is_restricted=True)
    within = people_for(analyst)

    for text in ("John Smith", "jon smyth", "Smith", "Amelia Thorne", "mohammed khan",
                 "Smith John", "j smith", "John John Smith", "Nobody Atall"):
        tokens = [fold(word) for word in text.split()]
        ranked = list(ranked_people(within, tokens=tokens))
        for limit in (1, 4, 50):
            with CaptureQueriesContext(connection) as queries:
                page = name_page(within, tokens, limit)
            assert page == ranked[:limit], (text, limit)
            assert len(queries) == 1
        assert hidden.pk not in {row["pk"] for row in ranked}
    assert len(ranked_people(within, tokens=["john", "smith"])) >= 8, (
        "the comparison ran on too few people to mean anything")
    # match_people takes this path for a name alone that does not fill the page whole.
    with CaptureQueriesContext(connection) as queries:
        found = match_people(within, text="Jon Smyth", limit=5)
    assert [m.person.pk for m in found] == [
        row["pk"] for row in ranked_people(within, tokens=["jon", "smyth"])[:5]]
    assert not any("people_personnameform" in q["sql"] and "GROUP BY" in q["sql"]
                   and "name_form_similarity" in q["sql"] and "name_words" not in q["sql"]
                   for q in queries), "ranked form by form, not from the different words"


def test_the_vocabulary_keeps_a_word_no_name_holds_any_more(hub_agency: Agency) -> None:
    person = make_person(hub_agency, given_name="Quentin", family_name="Vale")
    assert {"quentin", "vale"} <= _vocabulary()
    person.given_name = "Quinn"
    person.save()
    # Only ever added to: a word kept too many is compared and dropped; a word missing
    # would hide its names from a close search.
    assert {"quentin", "quinn", "vale"} <= _vocabulary()
    assert not PersonNameWord.objects.filter(word="quentin").exists()


GIVEN_NAMES = ("John", "Jon", "Jonn", "Joan", "Johnny", "Jhon", "Sean", "Jane", "Amelia",
               "Amelie", "Emilia")
FAMILY_NAMES = ("Smith", "Smyth", "Smithe", "Smit", "Smithers", "Schmidt", "Brown",
                "Thorne", "Thorn")
SEARCHES = ("John Smith", "Jon Smyth", "Jonn Smith", "Amelia Thorne", "Smith",
            "Smyth", "Jane Smithe", "Emilia Thorn", "John John Smith", "Sean Smit",
            "Smith John", "Jo Smi", "Zed Quill")


def test_the_close_name_page_is_the_page_ranking_gives(analyst: User,
                                                       hub_agency: Agency) -> None:
    """Whenever ``close_name_page`` gives a page it is the page ``ranked_people``
    gives, across people's own names and aliases, stale words in the vocabulary and
    people the user may not see; when too few close names fill it, it says so."""
    seed = random.SystemRandom().randrange(10**6)
    print(f"close name page seed: {seed}")
    rng = random.Random(seed)
    people = []
    for _ in range(70):
        person = make_person(hub_agency, given_name=rng.choice(GIVEN_NAMES),
                             family_name=rng.choice(FAMILY_NAMES),
                             is_restricted=rng.random() < 0.1)
        if rng.random() < 0.3:
            PersonAlias.objects.create(person=person, given_name=rng.choice(GIVEN_NAMES),
                                       family_name=rng.choice(FAMILY_NAMES))
        people.append(person)
    renamed = rng.sample(people, 5)  # their old words stay in the vocabulary
    for person in renamed:
        person.given_name = rng.choice(GIVEN_NAMES)
        person.save()
    within = people_for(analyst)
    paged = unpaged = 0
    for text in SEARCHES:
        tokens = [fold(word) for word in text.split()]
        ranked = list(ranked_people(within, tokens=tokens))
        for limit in (1, 3, 8, 20):
            page = close_name_page(within, tokens, limit)
            if page is None:
                unpaged += 1
                # Too few close names: fewer than the page score the close score.
                assert len([r for r in ranked if r["score"] >= CLOSE_NAME_SCORE]) < limit, (
                    text, limit, seed)
                continue
            paged += 1
            assert page == ranked[:limit], (text, limit, seed)
            found = match_people(within, text=text, limit=limit)
            assert [m.person.pk for m in found] == [row["pk"] for row in page]
    assert paged >= 10 and unpaged >= 5, (
        f"the comparison ran on too few pages of either kind ({paged}, {unpaged})")


def test_a_close_name_page_needs_a_page_of_people_scoring_the_close_score(
        analyst: User, hub_agency: Agency) -> None:
    for given, family in [("John", "Smith"), ("Jon", "Smith"), ("John", "Smyth"),
                          ("Jonn", "Smith"), ("Joan", "Smith"), ("Jane", "Smithers")]:
        make_person(hub_agency, given_name=given, family_name=family)
    # Found by the name and ranked ("Jo Smithson" scores 0.896), but below the close
    # score: never on a close page, and no help in filling one.
    far = [make_person(hub_agency, given_name="Jo", family_name="Smithson")
           for _ in range(12)]
    within = people_for(analyst)
    tokens = ["john", "smith"]
    ranked = list(ranked_people(within, tokens=tokens))
    assert {row["pk"] for row in ranked} & {p.pk for p in far}
    page = close_name_page(within, tokens, 4)
    assert page == ranked[:4]
    assert {row["pk"] for row in page}.isdisjoint(p.pk for p in far)
    assert close_name_page(within, tokens, 5) == ranked[:5]
    assert close_name_page(within, tokens, 6) is None  # five score 0.9 or more
    assert [m.person.pk for m in match_people(within, text="John Smith", limit=8)] == [
        row["pk"] for row in ranked[:8]]
