"""Small fixed code lists about people. Ethnic groups, which must stay extensible, are
held as data in ``people/data/*.csv`` and loaded into their own tables."""

from django.db import models


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_KNOWN = "not_known", "Not known"


class OfficerDefinedEthnicity(models.TextChoices):
    """Police IC codes: an officer's observation, never merged with self-definition."""

    IC1 = "IC1", "IC1 White – North European"
    IC2 = "IC2", "IC2 White – South European"
    IC3 = "IC3", "IC3 Black"
    IC4 = "IC4", "IC4 Asian"
    IC5 = "IC5", "IC5 Chinese, Japanese or other South East Asian"
    IC6 = "IC6", "IC6 Arab or North African"
    IC9 = "IC9", "IC9 Unknown"


class CensusAgeGroup(models.TextChoices):
    """The two age groups rates are worked out for: children are compared with the
    children of their ethnic group, adults (most suspects) with its adults."""

    CHILDREN = "0-17", "children aged 0 to 17"
    ADULTS = "18+", "adults aged 18 and over"


# Police IC codes mapped to the five high-level ethnic groups of the Census 2021
# classification (family codes of ``people/data/ethnic_high_level_groups.csv``), as the
# Home Office's "officer-defined ethnicity" statistics group them: IC5 (Chinese,
# Japanese or other South East Asian) with Asian, because Census 2021 places Chinese
# within "Asian, Asian British or Asian Welsh"; IC6 (Arab or North African) with Other,
# where Census 2021 places Arab. IC9 (unknown) is not recorded. No IC code is Mixed:
# an officer's observation cannot see mixed heritage.
IC_TO_HIGH_LEVEL_GROUP: dict[str, str | None] = {
    "IC1": "W",
    "IC2": "W",
    "IC3": "B",
    "IC4": "A",
    "IC5": "A",
    "IC6": "O",
    "IC9": None,
}


class RecordingState(models.TextChoices):
    """Three states, not two: data quality is measured on the difference."""

    RECORDED = "recorded", "Recorded"
    NOT_STATED = "not_stated", "Not stated (asked, declined)"
    NOT_RECORDED = "not_recorded", "Not recorded (never asked)"


# Nationality stores an ISO 3166 country code, this value when the person declined to
# say, or nothing when it was never asked.
NATIONALITY_NOT_STATED = "not_stated"


class IdentifierKind(models.TextChoices):
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique Pupil Number"
    PNC_ID = "pnc", "PNC ID"
    LA_CHILD_ID = "la_child", "Local authority child ID"


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname or street name"
    PREVIOUS = "previous", "Previous name"
    SPELLING = "spelling", "Other spelling"


class AreaKind(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COUNTY = "county", "County"
    DISTRICT = "district", "District (local authority)"
    WARD = "ward", "Ward"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
    MSOA = "msoa", "Middle layer super output area"
    LSOA = "lsoa", "Lower layer super output area"


class StatutoryStatus(models.TextChoices):
    """A child's statutory status with children's social care, shown beside the MACE
    risk tier. A child may hold more than one (a looked-after child with a child
    protection plan); a care leaver has left care, so is not looked after too."""

    CHILD_IN_NEED = "child_in_need", "Child in need (Children Act 1989 s.17)"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after by a local authority"
    CARE_LEAVER = "care_leaver", "Care leaver"


# The statuses as they are written beside the tier, short.
STATUTORY_STATUS_SHORT = {
    StatutoryStatus.CHILD_IN_NEED: "Child in need",
    StatutoryStatus.CHILD_PROTECTION_PLAN: "Child protection plan",
    StatutoryStatus.LOOKED_AFTER: "Looked after",
    StatutoryStatus.CARE_LEAVER: "Care leaver",
}


class PlacementType(models.TextChoices):
    """Where a looked-after child lives (the kinds of placement the DfE's looked-after
    children return counts, grouped)."""

    FOSTER_CARE = "foster_care", "Foster care"
    KINSHIP_CARE = "kinship_care", "Foster care with family or friends (kinship)"
    CHILDRENS_HOME = "childrens_home", "Children's home"
    SUPPORTED_ACCOMMODATION = "supported", "Supported accommodation (aged 16 or 17)"
    SECURE = "secure", "Secure children's home or secure unit"
    RESIDENTIAL_SCHOOL = "residential_school", "Residential school"
    WITH_PARENTS = "with_parents", "Placed with parents"
    FOR_ADOPTION = "for_adoption", "Placed for adoption"
    OTHER = "other", "Other placement"


class MatchDecision(models.TextChoices):
    """What a person decided about two records the matching model proposed. Stored."""

    UNDECIDED = "undecided", "Waiting for a decision"
    SAME = "same", "The same person"
    NOT_SAME = "not_same", "Not the same person"
    NOT_SURE = "not_sure", "Not sure"


class LinkageEngine(models.TextChoices):
    """Where the matching model runs (``people.linkage``), stored on each run. The
    values are Splink's own names for the engines' SQL dialects."""

    DUCKDB = "duckdb", "DuckDB (embedded, one machine)"
    SPARK = "spark", "Apache Spark (data sets beyond one machine)"


class LinkJobStatus(models.TextChoices):
    """Where a list linking job from the analysts' page stands. Stored."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Linking"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class CoordinateSource(models.TextChoices):
    """Where a record's British National Grid coordinates came from."""

    POSTCODE_DIRECTORY = "directory", "From the postcode directory"
    ENTERED = "entered", "Entered"
