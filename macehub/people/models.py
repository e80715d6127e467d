"""People the hub holds records about, the places they live, and the areas (with their
census populations) that give every rate its denominator."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries import countries

from macehub.people.codes import (
    NATIONALITY_NOT_STATED,
    STATUTORY_STATUS_SHORT,
    AliasKind,
    AreaKind,
    CensusAgeGroup,
    CoordinateSource,
    IdentifierKind,
    LinkJobStatus,
    MatchDecision,
    OfficerDefinedEthnicity,
    PlacementType,
    RecordingState,
    Sex,
    StatutoryStatus,
)
from macehub.people.names import name_key


class EthnicGroupFamily(models.Model):
    """One of the five high-level ethnic groups (White, Mixed, Asian, Black, Other)."""

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=120)
    census_heading = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "ethnic group families"

    def __str__(self) -> str:
        return self.name


class EthnicGroup(models.Model):
    """A self-defined ethnic group (the 18+1 codes; extensible, e.g. White: Roma).

    The "Not stated" row records that the person was asked and declined; a person with
    no ethnic group at all was never asked ("not recorded").
    """

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=120)
    family = models.ForeignKey(
        EthnicGroupFamily, on_delete=models.PROTECT, null=True, blank=True, related_name="groups"
    )
    census_heading = models.CharField(max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    NOT_STATED = "NS"

    class Meta:
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A geographical area: county, district, ward, neighbourhood, LSOA..."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    census_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="All usual residents (Census 2021 TS021)."
    )
    # The area's boundary as a GeoJSON geometry in WGS84 longitude and latitude, as ONS
    # Open Geography publishes it (``manage.py import_boundaries``), and its centroid on
    # the British National Grid (metres), for distances between areas.
    boundary = models.JSONField(null=True, blank=True)
    centroid_easting = models.PositiveIntegerField(null=True, blank=True)
    centroid_northing = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Postcode(models.Model):
    """One postcode of the ONS Postcode Directory (``manage.py import_postcodes``): where
    it is on the British National Grid and the areas it lies in. An area the hub does not
    hold is kept by its code alone."""

    postcode = models.CharField(max_length=8, unique=True, help_text="As 'LE1 6ZZ'.")
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    ward = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    ward_code = models.CharField(max_length=9, blank=True)
    lsoa = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    lsoa_code = models.CharField(max_length=9, blank=True)
    local_authority = models.ForeignKey(Area, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    local_authority_code = models.CharField(max_length=9, blank=True)
    terminated_on = models.DateField(
        null=True, blank=True, help_text="The month the postcode stopped being used."
    )

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class AreaPopulation(models.Model):
    """Usual residents of one area in one detailed ethnic group (Census 2021 TS021)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="populations")
    ethnic_group = models.ForeignKey(EthnicGroup, on_delete=models.PROTECT)
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=100, default="Census 2021 TS021")

    class Meta:
        ordering = ["area", "ethnic_group__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ethnic_group", "source"], name="one_population_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.ethnic_group_id}: {self.population}"


class AreaPopulationByAge(models.Model):
    """Usual residents of one area in one detailed ethnic group and one age group
    (children 0 to 17, adults 18 and over), from a Census 2021 ethnic group by age
    table: the denominators of the disproportionality rates."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="populations_by_age")
    ethnic_group = models.ForeignKey(EthnicGroup, on_delete=models.PROTECT, related_name="+")
    age_group = models.CharField(max_length=4, choices=CensusAgeGroup.choices)
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=100, default="Census 2021 ethnic group by age")

    class Meta:
        ordering = ["area", "age_group", "ethnic_group__sort_order"]
        verbose_name_plural = "area populations by age"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "ethnic_group", "age_group", "source"],
                name="one_population_per_group_and_age",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.ethnic_group_id} {self.age_group}: {self.population}"


class Person(models.Model):
    """Anyone the hub holds a record about: a child at risk, a suspect, an associate."""

    owning_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="people"
    )
    is_restricted = models.BooleanField(
        default=False, help_text="Only the users allocated to a restricted record can see it."
    )
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100)
    given_name_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    family_name_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Age in years when the date of birth is not known."
    )
    age_estimated_on = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    self_defined_ethnicity = models.ForeignKey(
        EthnicGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer_defined_ethnicity = models.CharField(
        max_length=4, choices=OfficerDefinedEthnicity.choices, blank=True
    )
    nationality = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change, so concurrent edits are detected."
    )
    # Statutory status with children's social care (``StatutoryStatus``), shown beside the
    # MACE risk tier. A looked-after child's placement type and placing authority (free
    # text: often a council outside the hub) are kept only while they are looked after.
    child_in_need = models.BooleanField(default=False)
    child_protection_plan = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    placement_type = models.CharField(max_length=20, choices=PlacementType.choices, blank=True)
    placing_authority = models.CharField(max_length=200, blank=True)
    care_leaver = models.BooleanField(default=False)
    # When the status was last recorded: never (null) is "not recorded", not "none".
    statutory_status_recorded_at = models.DateTimeField(null=True, blank=True)
    statutory_status_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    first_language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.BooleanField(
        null=True, blank=True, help_text="Unknown (null) until someone has asked."
    )
    # A record merged into another (``people.merging``): it stays, with its own details,
    # and everything that named it now names the record it was merged into.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records",
        help_text="The record this one was merged into; empty unless merged.",
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            # The few restricted records: the access policy asks for those a user may
            # not know on every page that names a person.
            models.Index(fields=["id"], condition=Q(is_restricted=True),
                         name="people_person_restricted"),
            # Person search reads thousands of people by key (everyone a common name
            # finds) to put them in order of name and keep those the user may see: from
            # this index alone on PostgreSQL, without visiting each person's row.
            models.Index(fields=["id"], include=["family_name", "given_name", "is_restricted"],
                         name="people_person_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_age__isnull=True) | Q(age_estimated_on__isnull=False),
                name="estimated_age_has_date",
            ),
            models.CheckConstraint(
                condition=(Q(looked_after=True) & ~Q(placement_type=""))
                | (Q(looked_after=False) & Q(placement_type="") & Q(placing_authority="")),
                name="placement_only_when_looked_after",
            ),
            models.CheckConstraint(
                condition=~(Q(looked_after=True) & Q(care_leaver=True)),
                name="care_leaver_is_not_looked_after",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.given_name_key = name_key(self.given_name)
        self.family_name_key = name_key(self.family_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        """The person's names; for someone known only by a nickname or street name (no
        names recorded), that name, marked as such: "Kaz (street name)"."""
        name = " ".join(p for p in (self.given_name, self.middle_names, self.family_name) if p)
        if name:
            return name
        street_names = [str(alias) for alias in self.aliases.all()
                        if alias.kind == AliasKind.NICKNAME and str(alias)]
        return f"{street_names[0]} (street name)" if street_names else "Name not known"

    def age_on(self, when: dt.date) -> int | None:
        if self.date_of_birth:
            dob = self.date_of_birth
            return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))
        if self.estimated_age is not None and self.age_estimated_on:
            return self.estimated_age + (when - self.age_estimated_on).days // 365
        return None

    @property
    def statutory_statuses(self) -> list[StatutoryStatus]:
        """The statuses the child holds, in the code list's order."""
        return [status for status in StatutoryStatus if getattr(self, status.value)]

    @property
    def statutory_status_short(self) -> list[str]:
        """"Looked after", "Child protection plan"... as written beside the tier."""
        return [STATUTORY_STATUS_SHORT[status] for status in self.statutory_statuses]

    @property
    def statutory_status_text(self) -> str:
        """The statuses in words, "None" when recorded as none, "Not recorded" before."""
        if self.statutory_status_recorded_at is None and not self.statutory_statuses:
            return "Not recorded"
        return ", ".join(self.statutory_status_short) or "None"

    @property
    def placement_text(self) -> str:
        """"Foster care, placed by Eastshire County Council" for a looked-after child."""
        if not self.looked_after:
            return ""
        text = self.get_placement_type_display()
        return f"{text}, placed by {self.placing_authority}" if self.placing_authority else text

    @property
    def interpreter_text(self) -> str:
        if self.interpreter_needed is None:
            return "Not recorded"
        return "Yes" if self.interpreter_needed else "No"

    @property
    def nationality_label(self) -> str:
        state = self.nationality_state
        if state is not RecordingState.RECORDED:
            return "Not stated" if state is RecordingState.NOT_STATED else "Not recorded"
        return str(countries.name(self.nationality)) or self.nationality

    @property
    def ethnicity_label(self) -> str:
        if self.self_defined_ethnicity is None:
            return "Not recorded"
        return self.self_defined_ethnicity.name

    @property
    def ethnicity_state(self) -> RecordingState:
        if self.self_defined_ethnicity_id is None:
            return RecordingState.NOT_RECORDED
        if self.self_defined_ethnicity_id == EthnicGroup.NOT_STATED:
            return RecordingState.NOT_STATED
        return RecordingState.RECORDED

    @property
    def nationality_state(self) -> RecordingState:
        if not self.nationality:
            return RecordingState.NOT_RECORDED
        if self.nationality == NATIONALITY_NOT_STATED:
            return RecordingState.NOT_STATED
        return RecordingState.RECORDED


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    kind = models.CharField(max_length=12, choices=AliasKind.choices, default=AliasKind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    given_name_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    family_name_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "person aliases"

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    def save(self, *args: object, **kwargs: object) -> None:
        self.given_name_key = name_key(self.given_name)
        self.family_name_key = name_key(self.family_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PersonNameForm(models.Model):
    """One way a person is named, folded for search: their own names (``alias`` empty) or
    one alias. Person search reads only this table for names (``people.search_index``
    keeps it in step with every write), so one indexed query finds and ranks a name
    however it is spelt; trigram-indexed on PostgreSQL."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_forms")
    alias = models.ForeignKey(
        PersonAlias, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Folded words (``names.fold``) and their phonetic keys (``names.name_key``), each
    # list wrapped in spaces, so " smith " matches a whole word and " smi" its start.
    words = models.CharField(max_length=500, editable=False)
    keys = models.CharField(max_length=500, editable=False)

    class Meta:
        verbose_name = "person name form"

    def __str__(self) -> str:
        return self.words.strip()


class PersonNameWord(models.Model):
    """One word of a name form (``PersonNameForm.words``, as cut there), for the person
    and alias the form is of: B-tree indexed with the person, so the people who carry a
    word whole are read from the index alone rather than by visiting every form the
    word's trigrams find (a common name's thousands). ``people.search_index`` keeps it
    in step with the forms.

    Each row carries its person's family and given name as well (the person's, also on
    an alias's words): the order people are listed in. Indexed after the word, they let
    a search for one whole word read its first page of people in order from the index,
    rather than look up every carrier of a common name to sort them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    alias = models.ForeignKey(
        PersonAlias, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    word = models.CharField(max_length=500, editable=False)
    person_family_name = models.CharField(max_length=100, editable=False)
    person_given_name = models.CharField(max_length=100, editable=False)

    class Meta:
        verbose_name = "person name word"
        indexes = [
            models.Index(fields=["word", "person"], name="people_name_word_person"),
            models.Index(fields=["word", "person_family_name", "person_given_name", "person"],
                         include=["alias"], name="people_name_word_order"),
        ]

    def __str__(self) -> str:
        return self.word


class PersonNameVocabularyWord(models.Model):
    """A word some name in the name index holds (``PersonNameWord.word``), once: the
    vocabulary a full-name search compares with what was typed, to pick out the few
    names that can rank near the top (``people.search.close_name_page``) instead of
    scoring every name the search finds.

    Words are added with the names that hold them and never taken away: a word no name
    holds any more only adds a comparison, while a missing word would hide its names
    from that page."""

    word = models.CharField(max_length=500, unique=True, editable=False)

    class Meta:
        verbose_name = "person name vocabulary word"

    def __str__(self) -> str:
        return self.word


class PersonIdentifier(models.Model):
    """An identifier a partner holds for the person, stored normalised."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=12, choices=IdentifierKind.choices)
    value = models.CharField(max_length=40)

    class Meta:
        ordering = ["kind"]
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="identifier_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        """As people write it: NHS numbers in groups of 3, 3 and 4."""
        if self.kind == IdentifierKind.NHS_NUMBER and len(self.value) == 10:
            return f"{self.value[:3]} {self.value[3:6]} {self.value[6:]}"
        return self.value


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8, db_index=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True)
    lived_from = models.DateField(null=True, blank=True)
    lived_until = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    coordinates_source = models.CharField(max_length=10, choices=CoordinateSource.choices,
                                          blank=True)

    class Meta:
        ordering = ["-is_current", "-lived_from"]
        verbose_name_plural = "person addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)


class PersonShare(models.Model):
    """The record is shared with a partner agency, whose staff may then see it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    # The information-sharing agreement the share relies on (none on shares from before
    # the register, shown as not recorded); where no agreement covered the two agencies,
    # ``reason`` says why it was shared anyway.
    agreement = models.ForeignKey("governance.SharingAgreement", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "agency"], name="share_once_per_agency")
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id} shared with agency {self.agency_id}"


class PersonAllocation(models.Model):
    """A named worker allocated to the person's record (sees it even when restricted)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allocations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_allocations"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "user"], name="allocation_once_per_user")
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id} allocated to user {self.user_id}"


def probability_text(probability: float) -> str:
    """A match probability as a page shows it: a percentage to one decimal place, never
    rounded up to certainty nor down to none."""
    percent = probability * 100
    if percent >= 99.95:
        return "over 99.9%"
    if percent < 0.05:
        return "under 0.1%"
    return f"{percent:.1f}%"


class MatchRun(models.Model):
    """One run of record linkage over the hub's people (``people.matching``): the model
    as it was estimated on them, the threshold used and what it found."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Empty for a run from the command line or a schedule.",
    )
    engine = models.CharField(max_length=20)
    records = models.PositiveIntegerField(help_text="Person records linked.")
    threshold = models.FloatField(help_text="Match probability at or above which pairs "
                                            "are proposed.")
    recommended_threshold = models.FloatField(
        help_text="The threshold the model's own evaluation recommends.")
    pairs_found = models.PositiveIntegerField(help_text="Pairs at or above the threshold.")
    pairs_proposed = models.PositiveIntegerField(
        help_text="Of those, pairs waiting for a decision after the run (pairs already "
                  "decided are not proposed again).")
    model = models.JSONField(help_text="The estimated model, as Splink saves it.")
    training_notes = models.JSONField(
        default=list, blank=True,
        help_text="How the model's estimation was adjusted on these records (an EM session "
                  "run again with the prior held, or left out), in words; empty when not.")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Matching run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def threshold_text(self) -> str:
        return probability_text(self.threshold)


class MatchCandidate(models.Model):
    """Two person records the model says may be one person, with its evidence, and what
    a person decided. One row per pair (``first`` the lower id): a later run updates an
    undecided pair's figures and never proposes a decided one again."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="candidates",
                            help_text="The latest run that proposed the pair.")
    probability = models.FloatField()
    match_weight = models.FloatField()
    evidence = models.JSONField(help_text="Field by field: level, values, weight.")
    decision = models.CharField(max_length=12, choices=MatchDecision.choices,
                                default=MatchDecision.UNDECIDED, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-probability", "first_id", "second_id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="match_candidate_once"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")),
                                   name="match_candidate_first_is_lower"),
        ]

    def __str__(self) -> str:
        return f"People {self.first_id} and {self.second_id} ({self.probability:.3f})"

    @property
    def probability_text(self) -> str:
        return probability_text(self.probability)


class PersonMerge(models.Model):
    """Two records of one person merged under one identity, and whether it was undone.

    ``moved`` is the ledger that makes the merge reversible: for each link to a person
    (``"<app.Model>.<field>"``), the rows that named the merged record and now name the
    kept one. Rows the kept record already held the same of (an identifier both carry)
    stay with the merged record, listed in ``held_already``. Who may see the record
    (its shares and allocations) is copied rather than moved (``access_added``): the
    merged record stays visible to those it was visible to."""

    match = models.ForeignKey(MatchCandidate, on_delete=models.PROTECT, related_name="merges",
                              help_text="The pair decided to be one person.")
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept",
                             help_text="The record kept: everything is now on it.")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in",
                               help_text="The record merged into the kept one.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    merged_at = models.DateTimeField()
    reason = models.TextField()
    moved = models.JSONField(default=dict)
    held_already = models.JSONField(default=dict)
    access_added = models.JSONField(
        default=dict, help_text="Shares and allocations given to the kept record, so whoever "
                                "could see the merged record sees the person still; taken "
                                "away again on unmerging.")
    restricted_by_merge = models.BooleanField(
        default=False, help_text="The kept record became restricted because the merged one "
                                 "was; unmerging leaves it restricted.")
    unmerged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerge_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            # A record is merged into one other at a time.
            models.UniqueConstraint(fields=["merged"], condition=Q(unmerged_at__isnull=True),
                                    name="merged_once_at_a_time"),
            models.CheckConstraint(condition=~Q(kept=models.F("merged")),
                                   name="merge_of_two_records"),
        ]

    def __str__(self) -> str:
        return f"Person {self.merged_id} merged into {self.kept_id}"

    @property
    def is_undone(self) -> bool:
        return self.unmerged_at is not None

    @property
    def rows_moved(self) -> int:
        return sum(len(pks) for pks in self.moved.values())


class LinkJob(models.Model):
    """A partner's list linked from the analysts' page (``people.list_linking``): run in
    the background, its progress shown while it runs, its pairs kept for the analyst who
    asked for them. The lists themselves are kept only until the job ends."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=LinkJobStatus.choices,
                              default=LinkJobStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    left_name = models.CharField(max_length=200)
    right_name = models.CharField(max_length=200, blank=True,
                                  help_text="Empty when linked against the hub's people.")
    left_list = models.TextField(blank=True, help_text="Emptied when the job ends.")
    right_list = models.TextField(blank=True, help_text="Emptied when the job ends.")
    threshold = models.FloatField(null=True, blank=True,
                                  help_text="Empty for the model's recommended threshold.")
    threshold_used = models.FloatField(null=True, blank=True)
    left_records = models.PositiveIntegerField(null=True, blank=True)
    right_records = models.PositiveIntegerField(null=True, blank=True)
    pairs_found = models.PositiveIntegerField(null=True, blank=True)
    training_notes = models.JSONField(
        default=list, blank=True,
        help_text="How the model's estimation was adjusted on these lists, in words.")
    pairs = models.TextField(blank=True, help_text="The pairs, as the CSV downloaded.")
    problem = models.TextField(blank=True, help_text="Why the job failed.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Linking {self.left_name} ({self.get_status_display()})"

    @property
    def against(self) -> str:
        return self.right_name or "the hub's people you may see"

    @property
    def is_finished(self) -> bool:
        return self.status in (LinkJobStatus.DONE, LinkJobStatus.FAILED)
