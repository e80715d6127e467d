"""The digital forensics app's code lists: what kind of device was seized, whose it is,
how urgently it is triaged, the legal authority it was seized under, and where it stands
(waiting for triage, for a full examination, and what became of it afterwards).

The legal authorities are *check*: the usual powers of seizure (PACE 1984 and warrants),
kept here as data so a force can confirm or extend the list.
"""

from __future__ import annotations

from macehub.core.codes import CodeList, code_display


@code_display("device_type", default_colour="grey")
class DeviceType(CodeList):
    MOBILE_PHONE = "mobile_phone", "Mobile phone"
    TABLET = "tablet", "Tablet"
    COMPUTER = "computer", "Computer or laptop"
    STORAGE_MEDIA = "storage_media", "Storage media (memory card, USB stick, hard drive)"
    GAMES_CONSOLE = "games_console", "Games console"
    OTHER = "other", "Other device"


@code_display("exhibit_priority", tag_colours={
    "immediate_risk": "red", "group_based": "orange", "other": "blue"})
class ExhibitPriority(CodeList):
    """How urgently the device is triaged: each priority has its own clock (settings
    ``FORENSICS_TRIAGE_HOURS_*``)."""

    IMMEDIATE_RISK = "immediate_risk", "Child at immediate risk"
    GROUP_BASED = "group_based", "Group-based child sexual exploitation"
    OTHER = "other", "Other"


@code_display("legal_authority", default_colour="grey")
class LegalAuthority(CodeList):
    """The power the device was seized under (*check* against force policy)."""

    PACE_S19 = "pace_s19", "PACE 1984 s.19 – seizure on premises lawfully entered"
    PACE_S32 = "pace_s32", "PACE 1984 s.32 – search upon arrest"
    PACE_S18 = "pace_s18", "PACE 1984 s.18 – search after arrest"
    WARRANT = "warrant", "Warrant (PACE 1984 s.8 or another statute)"
    CONSENT = "consent", "Consent of the owner, or of the child's parent"


@code_display("device_owner", tag_colours={}, default_colour="grey")
class DeviceOwner(CodeList):
    """Whose device it is, in the investigation."""

    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    OTHER = "other", "Witness or other"


@code_display("exhibit_stage", tag_colours={
    "waiting_triage": "red", "triaged_no_full": "green", "waiting_full": "orange",
    "full_done": "green", "returned": "grey", "retained": "purple", "disposed": "grey"})
class ExhibitStage(CodeList):
    WAITING_TRIAGE = "waiting_triage", "Waiting for triage"
    TRIAGED_NO_FULL = "triaged_no_full", "Triaged – no full examination needed"
    WAITING_FULL = "waiting_full", "Waiting for full examination"
    FULL_DONE = "full_done", "Full examination done"
    RETURNED = "returned", "Returned"
    RETAINED = "retained", "Retained"
    DISPOSED = "disposed", "Disposed of"


# The backlog: exhibits still waiting for the unit's work.
BACKLOG_STAGES = frozenset({ExhibitStage.WAITING_TRIAGE, ExhibitStage.WAITING_FULL})
# Examined (or found not to need a full examination): ready to be returned, retained or
# disposed of. A retained exhibit may later be returned or disposed of.
EXAMINED_STAGES = frozenset({ExhibitStage.TRIAGED_NO_FULL, ExhibitStage.FULL_DONE,
                             ExhibitStage.RETAINED})
# What becomes of an exhibit once examined.
AFTER_EXAMINATION = (ExhibitStage.RETURNED, ExhibitStage.RETAINED, ExhibitStage.DISPOSED)
