"""Intelligence code lists (College of Policing APP 3x5x2, Government Security
Classifications, the lawful bases for sharing). Held once here."""

from django.db import models

from macehub.core.codes import CodeList, code_display


class SourceEvaluation(models.TextChoices):
    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class IntelligenceAssessment(models.TextChoices):
    KNOWN_DIRECTLY = "A", "A – Known directly to the source"
    KNOWN_INDIRECTLY_CORROBORATED = "B", "B – Known indirectly, corroborated"
    KNOWN_INDIRECTLY = "C", "C – Known indirectly"
    NOT_KNOWN = "D", "D – Not known"
    SUSPECTED_FALSE = "E", "E – Suspected to be false"


@code_display("handling_code", tag_colours={"P": "green", "C": "orange"},
              short_labels={"P": "P – permitted", "C": "C – conditions"})
class HandlingCode(CodeList):
    PERMITTED = "P", "P – Lawful sharing permitted"
    CONDITIONS = "C", "C – Lawful sharing permitted with conditions"


class SecurityMarking(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


@code_display("priority", tag_colours={"high": "red", "medium": "yellow", "low": "grey"})
class Priority(CodeList):
    HIGH = "high", "High – threat to life, serious harm, imminent risk or opportunity"
    MEDIUM = "medium", "Medium – time-critical"
    LOW = "low", "Low"


class ReviewAction(models.TextChoices):
    DEVELOP = "develop", "Develop"
    DISSEMINATE = "disseminate", "Disseminate"
    TASK = "task", "Task"
    NO_FURTHER_ACTION = "nfa", "No further action"


class ReportStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    REVIEWED = "reviewed", "Reviewed"
    HISTORIC = "historic", "Historic (5x5x5, read-only)"


class EntityRole(models.TextChoices):
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim or child at risk"
    ASSOCIATE = "associate", "Associate"
    WITNESS = "witness", "Witness"
    LOCATION_OF_CONCERN = "location_of_concern", "Location of concern"
    VEHICLE_USED = "vehicle_used", "Vehicle used"
    PHONE_USED = "phone_used", "Phone used"
    ACCOUNT_USED = "account_used", "Online account used"
    PREMISES_OF_CONCERN = "premises_of_concern", "Premises of concern"
    MENTIONED = "mentioned", "Mentioned"


class EntityKind(models.TextChoices):
    """The kinds of record a report can link to; each value is the link's field name."""

    PERSON = "person", "Person"
    LOCATION = "location", "Location"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone number"
    ACCOUNT = "account", "Online account"
    PREMISES = "premises", "Premises or business"


# The roles that make sense for each kind of entity, in the order a form offers them.
ROLES_BY_KIND: dict[str, tuple[EntityRole, ...]] = {
    EntityKind.PERSON: (EntityRole.SUSPECT, EntityRole.VICTIM, EntityRole.ASSOCIATE,
                        EntityRole.WITNESS, EntityRole.MENTIONED),
    EntityKind.LOCATION: (EntityRole.LOCATION_OF_CONCERN, EntityRole.MENTIONED),
    EntityKind.VEHICLE: (EntityRole.VEHICLE_USED, EntityRole.MENTIONED),
    EntityKind.PHONE: (EntityRole.PHONE_USED, EntityRole.MENTIONED),
    EntityKind.ACCOUNT: (EntityRole.ACCOUNT_USED, EntityRole.MENTIONED),
    EntityKind.PREMISES: (EntityRole.PREMISES_OF_CONCERN, EntityRole.MENTIONED),
}


class PremisesKind(models.TextChoices):
    HOTEL = "hotel", "Hotel or guest house"
    TAKEAWAY = "takeaway", "Takeaway or restaurant"
    TAXI_FIRM = "taxi_firm", "Taxi or private hire firm"
    LICENSED = "licensed", "Licensed premises (pub, bar, club)"
    SHORT_LET = "short_let", "Short-let accommodation"
    SHOP = "shop", "Shop"
    OTHER = "other", "Other business"


class AccountPlatform(models.TextChoices):
    SNAPCHAT = "snapchat", "Snapchat"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    DISCORD = "discord", "Discord"
    OTHER = "other", "Other"


class LawfulBasis(models.TextChoices):
    """Why sharing personal data with a partner is lawful (UK GDPR / DPA 2018)."""

    DPA_PART3_LAW_ENFORCEMENT = "dpa_s35", "DPA 2018 Part 3, s.35 – law enforcement purposes"
    DPA_PART3_SENSITIVE = (
        "dpa_s35_8",
        "DPA 2018 Part 3, s.35(5) and Sch. 8 para 4 – safeguarding of children",
    )
    GDPR_PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Art. 6(1)(e) – public task"
    GDPR_LEGAL_OBLIGATION = "gdpr_6_1_c", "UK GDPR Art. 6(1)(c) – legal obligation"
    GDPR_VITAL_INTERESTS = "gdpr_6_1_d", "UK GDPR Art. 6(1)(d) – vital interests"
    SAFEGUARDING_CHILDREN = (
        "dpa_sch1_18",
        "DPA 2018 Sch. 1 para 18 – safeguarding of children and individuals at risk",
    )
    CHILDREN_ACT_S47 = "ca1989_s47", "Children Act 1989 s.47 – enquiries about a child"
    CRIME_DISORDER_S115 = "cda1998_s115", "Crime and Disorder Act 1998 s.115"


# Historic 5x5x5 grading, kept readable (never entered for new reports).
class LegacySourceEvaluation(models.TextChoices):
    A = "A", "A – Always reliable"
    B = "B", "B – Mostly reliable"
    C = "C", "C – Sometimes reliable"
    D = "D", "D – Unreliable"
    E = "E", "E – Untested source"


class LegacyIntelligenceEvaluation(models.TextChoices):
    ONE = "1", "1 – Known to be true without reservation"
    TWO = "2", "2 – Known personally to the source but not to the officer"
    THREE = "3", "3 – Not personally known to the source but corroborated"
    FOUR = "4", "4 – Cannot be judged"
    FIVE = "5", "5 – Suspected to be false"


class LegacyHandlingCode(models.TextChoices):
    ONE = "1", "1 – May be disseminated to other law enforcement agencies"
    TWO = "2", "2 – May be disseminated to UK non-prosecuting parties"
    THREE = "3", "3 – May be disseminated to non-EU law enforcement agencies"
    FOUR = "4", "4 – May be disseminated within the originating agency only"
    FIVE = "5", "5 – No further dissemination: refer to the originator"
