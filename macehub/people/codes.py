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
