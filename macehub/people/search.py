"""Person search in one ranked query: find people by name (through the name index,
``PersonNameForm``), identifier and date of birth, score them and put them in order in
the database, so a search costs the same however many people share the name.

A name matches as before: a searched word finds a name form by phonetic key, by the
start of a word or (on PostgreSQL) by trigram word similarity, all indexed lookups;
each searched word then scores the Jaro-Winkler similarity of the closest word of the
form (``name_form_similarity``, a database function on both engines), the form scores
the average over the searched words and the person their best form. A person found
only by name must score at least ``NAME_MATCH_THRESHOLD``. An identifier match adds 1,
a date of birth 0.5 (0.25 with day and month swapped).

Four ways to the same page (``selectors.match_people`` picks): ``exact_name_page``
when the people who carry every searched word whole fill it (nobody is scored);
``close_name_page`` when the people whose names score ``CLOSE_NAME_SCORE`` or more fill
it (only they are scored); ``name_page`` for any other search by name alone (each
different word of the found people's names scored once); ``ranked_people`` when a date
of birth or an identifier is given (it adds to the score, and finds few people).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

import jellyfish
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from macehub.core.lookups import InOnce
from macehub.people.models import (
    Person,
    PersonIdentifier,
    PersonNameForm,
    PersonNameVocabularyWord,
    PersonNameWord,
)
from macehub.people.names import name_key

# Below this name similarity a person found only by a loose name match is dropped.
NAME_MATCH_THRESHOLD = 0.72
IDENTIFIER_SCORE = 1.0
BIRTH_DATE_SCORE = 0.5
SWAPPED_BIRTH_DATE_SCORE = 0.25
# A search for one whole word reads this many of its rows for each person on the page
# before falling back to putting every carrier in order (``exact_name_page``).
ONE_WORD_ROWS_PER_PERSON = 2
# A full-name search first ranks only the people whose names can score this much
# (``close_name_page``), and ranks everyone the name finds when too few do.
CLOSE_NAME_SCORE = 0.9
# Kept between the similarity worked out in Python and the database's.
SIMILARITY_MARGIN = 1e-6
# Beyond this many close words for a searched word, or this many people holding them,
# picking them out would cost about as much as ranking everyone the name finds.
CLOSE_WORDS_LIMIT = 2000
CLOSE_NAMES_LIMIT = 5000


class NameFormSimilarity(Func):
    """The Jaro-Winkler similarity of a searched word and the closest word of a name
    form (the function ``people.search_index.name_form_similarity``)."""

    function = "name_form_similarity"
    output_field = FloatField()


def _found_by_name(tokens: Sequence[str]) -> Q:
    """Name forms any searched word finds by an indexed lookup: the start of a word or
    the phonetic key, on every engine (trigram-indexed on PostgreSQL).

    Not trigram word similarity (``%>``): measured on force-scale data, PostgreSQL
    works it out form by form (5 microseconds each, 300 ms a search) rather than from
    the trigram index, and it found almost nobody the key and prefix did not."""
    condition = Q()
    for token in tokens:
        condition |= Q(words__contains=f" {token}")
        key = name_key(token)
        if key:
            condition |= Q(keys__contains=f" {key} ")
    return condition


def _people_found_by_name(tokens: Sequence[str]) -> Q:
    """People with a name form a searched word finds (``_found_by_name``), worked out
    once from the name index: read person by person, not by a pass over every person
    held."""
    return Q(InOnce(F("pk"), PersonNameForm.objects.filter(_found_by_name(tokens))
                    .order_by().values("person_id")))


def _form_score(tokens: Sequence[str], words: str = "name_forms__words"
                ) -> CombinedExpression:
    """A name form's score: the average over the searched words of each one's best
    similarity to a word of the form (a whole word found needs no comparing)."""
    total: CombinedExpression | Value = Value(0.0)
    for token in tokens:
        total = total + Case(
            When(**{f"{words}__contains": f" {token} "}, then=Value(1.0)),
            default=NameFormSimilarity(Value(token), F(words)),
            output_field=FloatField(),
        )
    return total / Value(float(len(tokens)))


def _swapped_day_month(value: dt.date) -> dt.date | None:
    if value.day > 12 or value.day == value.month:
        return None
    return value.replace(day=value.month, month=value.day)


def ranked_people(
    within: QuerySet[Person],
    *,
    tokens: Sequence[str],
    date_of_birth: dt.date | None = None,
    id_values: Collection[tuple[str, str]] = (),
    allow_unknown_birth_date: bool = False,
) -> QuerySet[Any, Any]:
    """The people in ``within`` who match, best first, as rows of ``pk``,
    ``name_score``, ``identifier_hit``, ``birth_date_score`` and ``score``; slice it
    for a page. One query: the name forms of the people found are scored in the same
    pass (a person's best form counts), grouped by person, ordered and cut there.

    ``tokens`` are folded words (``names.fold``); ``id_values`` (kind, normalised value)
    pairs. ``within`` must already be scoped by access: nothing here decides who may
    see whom. With nothing to look for, nobody matches."""
    birth_q = Q()
    if date_of_birth:
        birth_q = Q(date_of_birth=date_of_birth)
        swapped = _swapped_day_month(date_of_birth)
        if swapped:
            birth_q |= Q(date_of_birth=swapped)
        if allow_unknown_birth_date:
            birth_q |= Q(date_of_birth__isnull=True)
    condition = Q()
    if tokens:
        condition = _people_found_by_name(tokens)
        if birth_q:
            condition &= birth_q
    elif not id_values and birth_q:
        condition = birth_q
    identifier_q = Q()
    for kind, value in sorted(id_values):
        identifier_q |= Q(kind=kind, value=value)
    if identifier_q:
        # Read by key like the name's people (InOnce): as a plain IN beside the name's
        # array, PostgreSQL filtered every person held with both (87 s for a name and
        # an identifier at national scale).
        condition |= Q(InOnce(F("pk"), PersonIdentifier.objects.filter(identifier_q)
                              .order_by().values("person_id")))
    if not condition:
        return within.none().values("pk")

    name_score: Value | Coalesce = Value(0.0)
    if tokens:
        # Every name form of each person found (not only the forms that found them):
        # a person found by one name may be closer still by another.
        name_score = Coalesce(Max(_form_score(tokens)), Value(0.0))
    identifier_hit: Value | Exists = Value(False, output_field=BooleanField())
    if identifier_q:
        identifier_hit = Exists(PersonIdentifier.objects.filter(
            identifier_q, person_id=OuterRef("pk")))
    birth_date_score: Value | Case = Value(0.0)
    if date_of_birth:
        # As before: a recorded date that is not the one searched for was found with
        # day and month swapped (or, by identifier, with another date).
        birth_date_score = Case(
            When(date_of_birth=date_of_birth, then=Value(BIRTH_DATE_SCORE)),
            When(date_of_birth__isnull=False, then=Value(SWAPPED_BIRTH_DATE_SCORE)),
            default=Value(0.0), output_field=FloatField())
    ranked = within.filter(condition).values("pk").annotate(
        name_score=name_score,
        identifier_hit=identifier_hit,
        birth_date_score=birth_date_score,
    ).annotate(
        score=F("name_score") + Case(When(identifier_hit=True, then=Value(IDENTIFIER_SCORE)),
                                     default=Value(0.0), output_field=FloatField())
        + F("birth_date_score"),
    )
    if tokens:
        ranked = ranked.filter(Q(name_score__gte=NAME_MATCH_THRESHOLD) | Q(identifier_hit=True))
    return ranked.order_by("-score", "family_name", "given_name", "pk").values(
        "pk", "name_score", "identifier_hit", "birth_date_score", "score")


# ``name_page``'s query. The people the name finds (``found``, scoped by access) and
# every word of each of their names (``name_words``: their own names' and each alias's);
# each different word scored against each searched word once (``word_scores``); each
# name scored as ``ranked_people`` scores a name form (per searched word, its best
# word; the average of those), each person by their best name.
NAME_PAGE_SQL = """
WITH found AS ({found}),
name_words AS {materialized} (
    SELECT w.person_id, w.alias_id, w.word, w.person_family_name, w.person_given_name
    FROM {name_word_table} w
    WHERE w.person_id IN (SELECT pk FROM found)
),
word_scores AS {materialized} (
    SELECT word, {word_scores}
    FROM (SELECT DISTINCT word FROM name_words) different_words
),
names AS (
    SELECT n.person_id, MIN(n.person_family_name) AS family_name,
           MIN(n.person_given_name) AS given_name, ({name_total}) / %s AS score
    FROM name_words n JOIN word_scores s ON s.word = n.word
    GROUP BY n.person_id, n.alias_id
)
SELECT person_id, MAX(score) AS name_score
FROM names
GROUP BY person_id
HAVING MAX(score) >= %s
ORDER BY name_score DESC, MIN(family_name), MIN(given_name), person_id
LIMIT %s
"""


def name_page(within: QuerySet[Person], tokens: Sequence[str], limit: int
              ) -> list[dict[str, Any]]:
    """The first ``limit`` rows ``ranked_people`` gives for a search by name alone (no
    date of birth, no identifier): the same people, scores and order, in one query.

    ``ranked_people`` compares each searched word with every name of every person the
    name finds, word by word: a national search for "john smith" finds 34,000 people
    and made 56,000 comparisons (840 ms), most of them of the same few words. Here each
    different word of those names (1,800) is compared with each searched word once,
    and the names are scored from those figures.

    ``within`` must already be scoped by access, as for ``ranked_people``."""
    if not tokens or limit <= 0:
        return []
    return _scored_page(within.filter(_people_found_by_name(tokens)), tokens,
                        NAME_MATCH_THRESHOLD, limit)


def _scored_page(found: QuerySet[Person], tokens: Sequence[str], threshold: float,
                 limit: int) -> list[dict[str, Any]]:
    """``NAME_PAGE_SQL`` for the ``found`` people: the first ``limit`` of them scoring
    at least ``threshold``, as rows of ``ranked_people``'s."""
    try:
        found_sql, found_params = found.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []  # the user may see nobody
    word_scores: list[str] = []
    score_params: list[str | float] = []
    for index, token in enumerate(tokens):
        # A word that is the searched word whole scores 1, as in ``_form_score``.
        word_scores.append(
            f"CASE WHEN word = %s THEN %s ELSE name_form_similarity(%s, word) END AS s{index}")
        score_params += [token, 1.0, token]
    # Added in the order ``_form_score`` adds them, so each name's figure is the same.
    name_total = " + ".join(f"MAX(s.s{index})" for index in range(len(tokens)))
    sql = NAME_PAGE_SQL.format(
        found=found_sql,
        name_word_table=connection.ops.quote_name(PersonNameWord._meta.db_table),
        word_scores=", ".join(word_scores), name_total=name_total,
        # Worked out once, each: PostgreSQL would otherwise fold the word scores into
        # the join and compare every word of every name again (SQLite materialises a
        # table named twice of its own accord).
        materialized="MATERIALIZED" if connection.vendor == "postgresql" else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, (*found_params, *score_params, float(len(tokens)),
                             threshold, limit))
        rows = cursor.fetchall()
    return [{"pk": pk, "name_score": float(score), "identifier_hit": False,
             "birth_date_score": 0.0, "score": float(score)} for pk, score in rows]


def close_name_page(within: QuerySet[Person], tokens: Sequence[str], limit: int
                    ) -> list[dict[str, Any]] | None:
    """The first ``limit`` rows ``name_page`` gives, when at least that many people the
    name finds score ``CLOSE_NAME_SCORE`` or more; otherwise ``None`` (use ``name_page``).

    A name scores the average over the searched words of each one's best similarity to
    a word of the name, so a name averaging at least the close score over ``k`` words
    has, for every searched word, a word at least ``k`` times that score less ``k - 1``
    alike (the others can add no more than 1 each). Those close words are picked from
    the index's vocabulary (``PersonNameVocabularyWord``: tens of thousands of words,
    compared in Python), the names holding a close word for every searched word are
    read from the words' index, and only their people are scored. A national search
    for "john smith" scores a few hundred people this way rather than the 34,000 the
    name finds.

    ``within`` must already be scoped by access, as for ``ranked_people``."""
    if not tokens or limit <= 0:
        return None
    searched = sorted(set(tokens))
    # Less a margin for the database's own arithmetic: a close word must never be
    # missed (a word wrongly kept is only scored and dropped).
    least = len(tokens) * CLOSE_NAME_SCORE - (len(tokens) - 1) - SIMILARITY_MARGIN
    if least <= 0:
        return None
    words = _vocabulary()
    close: list[list[str]] = []
    for token in searched:
        alike = [word for word in words
                 if jellyfish.jaro_winkler_similarity(token, word) >= least]
        if not alike or len(alike) > CLOSE_WORDS_LIMIT:
            return None
        close.append(alike)
    # The names (person, alias) holding a close word for every searched word.
    names = [PersonNameWord.objects.filter(word__in=alike).order_by()
             .values_list("person_id", "alias_id") for alike in close]
    holding = names[0].intersection(*names[1:]) if len(names) > 1 else names[0].distinct()
    held = list(holding[:CLOSE_NAMES_LIMIT + 1])
    if not held or len(held) > CLOSE_NAMES_LIMIT:
        return None
    candidates = sorted({person for person, _ in held})
    # Found by the name as ``name_page``'s people are, each person's own forms looked at.
    found_forms = PersonNameForm.objects.filter(_found_by_name(tokens), person_id=OuterRef("pk"))
    found = within.filter(pk__in=candidates).filter(Exists(found_forms))
    page = _scored_page(found, tokens, CLOSE_NAME_SCORE, limit)
    return page if len(page) == limit else None


def _vocabulary() -> list[str]:
    """Every word of the name index's vocabulary, read as one string and split: a word
    holds no space (the index cuts names at them), and one value comes back in a
    third of the time 27,000 rows take."""
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {aggregate}({quote('word')}, ' ') "  # noqa: S608 - names quoted
                       f"FROM {quote(PersonNameVocabularyWord._meta.db_table)}")
        row = cursor.fetchone()
    return row[0].split() if row and row[0] else []


def exact_name_page(within: QuerySet[Person], tokens: Sequence[str], limit: int
                    ) -> list[dict[str, Any]] | None:
    """The first ``limit`` rows ``ranked_people`` would give for a search by name alone,
    when at least that many people carry every searched word whole in one of their
    names; otherwise ``None`` (rank them all).

    Such people score 1.0, which nobody found by name alone can beat, and ties are in
    order of name: so the page is theirs, read through the index of whole words and
    put in order of name without scoring everyone a common name finds (a national
    search for "smith" finds tens of thousands by sound and spelling)."""
    if not tokens or limit <= 0:
        return None
    searched = sorted(set(tokens))
    if len(searched) == 1:
        pks = _one_word_page(within, searched[0], limit)
    else:
        pks = _all_words_page(within, searched, limit)
    if len(pks) < limit:
        return None
    return [{"pk": pk, "name_score": 1.0, "identifier_hit": False,
             "birth_date_score": 0.0, "score": 1.0} for pk in pks]


def _one_word_page(within: QuerySet[Person], word: str, limit: int) -> list[int]:
    """The first ``limit`` people in ``within``, in order of name, who carry ``word``
    whole.

    The word's first rows in order of name are read from their index alone
    (``people_name_word_order``: about a page of rows, where a national search for
    "smith" used to look up all 22,000 carriers to sort them), then the people they
    name are asked of ``within``. Two plain queries rather than one with the access
    check inside: PostgreSQL planned that one as a parallel scan whose start-up cost
    it many times over. When restricted people (or people carrying the word in more
    than one name) leave the page short, every carrier is put in order as before."""
    rows = (PersonNameWord.objects.filter(word=word)
            .order_by("person_family_name", "person_given_name", "person_id")
            .values_list("person_id", flat=True))
    read = list(rows[:ONE_WORD_ROWS_PER_PERSON * limit])
    carriers = list(dict.fromkeys(read))
    visible = set(within.filter(pk__in=carriers).values_list("pk", flat=True))
    page = [pk for pk in carriers if pk in visible][:limit]
    if len(page) == limit or len(read) < ONE_WORD_ROWS_PER_PERSON * limit:
        return page
    return _all_words_page(within, [word], limit)


def _all_words_page(within: QuerySet[Person], searched: Sequence[str], limit: int
                    ) -> list[int]:
    """The first ``limit`` people in ``within``, in order of name, with one name that
    carries every searched word whole."""
    # The people with a form that holds every searched word: the forms' words grouped
    # by form, read from the words' index alone.
    carriers = (PersonNameWord.objects.filter(word__in=searched).order_by()
                .values("person_id", "alias_id")
                .annotate(held=Count("word", distinct=True)).filter(held=len(searched)))
    # The carriers read by primary key (an InOnce array), not people walked in order of
    # name and each one's forms looked at: at national scale that walk read 65,000
    # people before reaching the Smiths.
    return list(within.filter(InOnce(F("pk"), carriers.values("person_id")))
                .order_by("family_name", "given_name", "pk")
                .values_list("pk", flat=True)[:limit])


def match_reasons(row: dict[str, Any], *, searched_name: bool) -> list[str]:
    """Why a person from ``ranked_people`` matched, in the order the scores were added."""
    reasons = []
    if row["identifier_hit"]:
        reasons.append("identifier matches")
    if searched_name:
        reasons.append("name matches" if row["name_score"] > 0.97 else "name is similar")
    if row["birth_date_score"] == BIRTH_DATE_SCORE:
        reasons.append("date of birth matches")
    elif row["birth_date_score"] == SWAPPED_BIRTH_DATE_SCORE:
        reasons.append("date of birth matches with day and month swapped")
    return reasons
