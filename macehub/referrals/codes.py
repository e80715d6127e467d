"""The referral and triage code lists (DOMAIN.md): sources, consent, triage outcomes and
partner checks. Held once here. The ratings triage gives a child (BRAG, risk tier), the
exploitation types and models and the indicator domains are about the child, their case and
the groups around them, so they live below, in ``macehub.cases.codes``."""

from django.db import models

# The exploitation models are recorded on cases and offender groups too, so the list is
# kept once below, in ``macehub.cases.codes``; referrals name it from here as before.
from macehub.cases.codes import ExploitationModel as ExploitationModel
from macehub.core.codes import CodeList, code_display


class ReferralSource(models.TextChoices):
    SCHOOL = "school", "School or education"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER = "other", "Other agency"


class OnlinePlatform(models.TextChoices):
    SNAPCHAT = "snapchat", "Snapchat"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    FACEBOOK = "facebook", "Facebook or Messenger"
    X = "x", "X (Twitter)"
    DISCORD = "discord", "Discord"
    GAMING = "gaming", "Online gaming"
    DATING = "dating", "Dating apps"
    OTHER = "other", "Other"


class YearGroup(models.TextChoices):
    """The child's school year, as a referrer knows it; "not known" is an answer."""

    NURSERY = "nursery", "Nursery"
    RECEPTION = "reception", "Reception"
    YEAR_1 = "year_1", "Year 1"
    YEAR_2 = "year_2", "Year 2"
    YEAR_3 = "year_3", "Year 3"
    YEAR_4 = "year_4", "Year 4"
    YEAR_5 = "year_5", "Year 5"
    YEAR_6 = "year_6", "Year 6"
    YEAR_7 = "year_7", "Year 7"
    YEAR_8 = "year_8", "Year 8"
    YEAR_9 = "year_9", "Year 9"
    YEAR_10 = "year_10", "Year 10"
    YEAR_11 = "year_11", "Year 11"
    YEAR_12 = "year_12", "Year 12"
    YEAR_13 = "year_13", "Year 13"
    NOT_IN_EDUCATION = "not_in_education", "Not in school or college"
    NOT_KNOWN = "not_known", "Not known"


class ConsentStatus(models.TextChoices):
    """Whether the child's or family's consent to the referral was sought. Not seeking it
    is sometimes right (asking could put the child at risk), and the reason is recorded."""

    GIVEN = "given", "Sought and given"
    REFUSED = "refused", "Sought and refused"
    NOT_SOUGHT = "not_sought", "Not sought"


# What a referral shows for an answer the referrer did not know (stored as null).
NOT_KNOWN_TEXT = "Not known"


def yes_no_not_known(value: bool | None) -> str:
    """A yes/no answer where "don't know" is its own answer (None), not "no"."""
    if value is None:
        return NOT_KNOWN_TEXT
    return "Yes" if value else "No"


class TriageOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE_SIGNPOSTING = "advice", "Advice and signposting"
    EARLY_HELP = "early_help", "Early help"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    SECTION_47 = "section_47", "Section 47 enquiry"
    OPEN_MACE_CASE = "open_case", "Open a MACE case"


class PartnerCheckResult(models.TextChoices):
    """What a partner agency found when it checked its records for the child."""

    INFORMATION_HELD = "information_held", "Information held"
    NOTHING_HELD = "nothing_held", "Nothing held"


# Triage outcomes that are the local authority's decisions (Working Together 2023): only
# children's social care may record them; police and health contribute.
CHILDRENS_SOCIAL_CARE_OUTCOMES = frozenset(
    {TriageOutcome.SECTION_47, TriageOutcome.STRATEGY_DISCUSSION}
)


class ImmediateStepKind(models.TextChoices):
    """What a referral of sexual activity with a child aged 12 or under prompts at once."""

    POLICE_NOTIFICATION = "police_notification", "Police notified"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion held"


@code_display("referral_status", tag_colours={"awaiting_triage": "blue", "decided": "green"})
class ReferralStatus(CodeList):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    DECIDED = "decided", "Decided"


# What each outcome means, in the plain words a referrer is told (the e-mail and the
# referrer's own view of their referral).
OUTCOME_PLAIN_WORDS = {
    TriageOutcome.NO_FURTHER_ACTION: (
        "No further action by the MACE hub: the hub did not find a need for a "
        "multi-agency response to child exploitation."
    ),
    TriageOutcome.ADVICE_SIGNPOSTING: (
        "Advice and signposting: the hub will give advice and point the child and their "
        "family to other support."
    ),
    TriageOutcome.EARLY_HELP: "Early help: the child and their family will be offered early help.",
    TriageOutcome.STRATEGY_DISCUSSION: (
        "Strategy discussion: the agencies involved will hold a strategy discussion about "
        "the child's safety."
    ),
    TriageOutcome.SECTION_47: (
        "Section 47 enquiry: children's social care will make child protection enquiries."
    ),
    TriageOutcome.OPEN_MACE_CASE: (
        "MACE case: the hub will work with the child and the agencies involved through a "
        "MACE case."
    ),
}

# A referral's source follows from the kind of agency the referrer works for.
SOURCE_BY_AGENCY_KIND = {
    "education": ReferralSource.SCHOOL,
    "health": ReferralSource.HEALTH,
    "childrens_social_care": ReferralSource.SOCIAL_CARE,
    "police": ReferralSource.POLICE,
    "voluntary_sector": ReferralSource.VOLUNTARY_SECTOR,
}


def source_for_agency_kind(kind: str) -> ReferralSource:
    return SOURCE_BY_AGENCY_KIND.get(kind, ReferralSource.OTHER)


class PartnerFileKind(models.TextChoices):
    """What a partner system's export holds, row by row. Stored."""

    CHILDREN = "children", "Children"
    REFERRALS = "referrals", "Referrals"


class PartnerImportStatus(models.TextChoices):
    """Where the import of a partner's file stands. Stored."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
