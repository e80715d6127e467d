"""The one vocabulary of things a user may try to do. Views, API endpoints, exports and
searches each name exactly one of these; ``policy`` says who may."""

from enum import StrEnum


class Action(StrEnum):
    # Any signed-in user: their home page, their own account and two-factor settings.
    USE_HUB = "hub.use"
    # People
    PERSON_SEARCH = "person.search"
    PERSON_VIEW = "person.view"
    PERSON_CREATE = "person.create"
    PERSON_CHANGE = "person.change"
    PERSON_ACCESS_LOG = "person.access_log"
    # Share a person's record with a partner agency, and stop sharing it
    PERSON_SHARE = "person.share"
    # Pairs of records the matching model proposes as one person: see and decide them
    PERSON_MATCH_REVIEW = "person.match_review"
    # Merge two records decided to be one person, and undo a merge
    PERSON_MERGE = "person.merge"
    # Link a partner's list against another list or the hub's people, from a page
    PERSON_LIST_LINK = "person.list_link"
    # Referrals (C1)
    REFERRAL_SUBMIT = "referral.submit"
    REFERRAL_VIEW_OWN = "referral.view_own"
    REFERRAL_ADD_INFORMATION = "referral.add_information"
    REFERRAL_VIEW = "referral.view"
    REFERRAL_TRIAGE = "referral.triage"
    # Imports from partner systems: the column mappings kept per partner, and the files
    PARTNER_MAPPING_MANAGE = "referral.partner_mapping_manage"
    PARTNER_IMPORT = "referral.partner_import"
    # The section 47 enquiry and strategy discussion outcomes (children's social care)
    REFERRAL_STATUTORY_OUTCOME = "referral.statutory_outcome"
    # Partner checks: triage asks a partner agency what it holds about a referred child
    PARTNER_CHECK_REQUEST = "partner_check.request"
    PARTNER_CHECK_VIEW = "partner_check.view"
    PARTNER_CHECK_RETURN = "partner_check.return"
    # Child safeguarding cases (C2)
    CASE_LIST = "case.list"
    CASE_VIEW = "case.view"
    CASE_OPEN = "case.open"
    CASE_CHANGE = "case.change"
    CASE_RECORD_WORK = "case.record_work"
    CASE_ASSESS_RISK = "case.assess_risk"
    CASE_RESTRICT = "case.restrict"
    CASE_ACCESS_LOG = "case.access_log"
    # Closing, lowering a High or Medium tier and lifting a restriction: asked for by a
    # worker (CASE_CHANGE, CASE_RESTRICT), decided by a supervisor or the MACE chair.
    CASE_DECISION_VIEW = "case.decision_view"
    CASE_DECIDE = "case.decide"
    # Advocacy ends by its own decision, not with the case (it may go on to a trial).
    CASE_ADVOCACY_END = "case.advocacy_end"
    # The notes of a contact a victim advocate recorded (confidential to the advocacy service)
    CASE_READ_ADVOCACY_NOTES = "case.read_advocacy_notes"
    # A child's missing episodes and return home interviews, with or without a case
    MISSING_EPISODE_RECORD = "missing_episode.record"
    MISSING_EPISODE_LIST = "missing_episode.list"
    # Intelligence (C3)
    INTELLIGENCE_SUBMIT = "intelligence.submit"
    INTELLIGENCE_SUBMISSION_VIEW_OWN = "intelligence.submission_view_own"
    INTELLIGENCE_RECORD = "intelligence.record"
    INTELLIGENCE_REVIEW = "intelligence.review"
    INTELLIGENCE_LINK = "intelligence.link"
    INTELLIGENCE_VIEW = "intelligence.view"
    INTELLIGENCE_VIEW_SOURCE = "intelligence.view_source"
    INTELLIGENCE_DISSEMINATE = "intelligence.disseminate"
    INTELLIGENCE_EXPORT = "intelligence.export"
    # Networks (C4): the link graph around a person, entity or group; groups proposed
    # from it as possible group-based CSE, and the decision on each
    NETWORK_VIEW = "network.view"
    NETWORK_EXPORT = "network.export"
    GROUP_VIEW = "group.view"
    GROUP_PROPOSE = "group.propose"
    GROUP_DECIDE = "group.decide"
    # How a group exploits children (its exploitation model), set or corrected after the
    # decision too.
    GROUP_MODEL_CHANGE = "group.model_change"
    ENTITY_VIEW = "entity.view"
    ENTITY_SEARCH = "entity.search"
    # Investigations (C7): crimes with their victims and suspects, allocation, lines of
    # enquiry, supervisory reviews at set points, outcomes
    INVESTIGATION_VIEW = "investigation.view"
    INVESTIGATION_RECORD = "investigation.record"
    INVESTIGATION_CHANGE = "investigation.change"
    INVESTIGATION_ALLOCATE = "investigation.allocate"
    INVESTIGATION_REVIEW = "investigation.review"
    VICTIM_JOURNEY_VIEW = "victim_journey.view"
    VICTIM_JOURNEY_RECORD = "victim_journey.record"
    VICTIM_JOURNEY_NOTES = "victim_journey.notes"
    VICTIM_JOURNEY_WRITE_NOTE = "victim_journey.write_note"
    # Digital forensics (C8): devices seized for an investigation, fast-time triage,
    # full examination, return or retention
    EXHIBIT_VIEW = "exhibit.view"
    EXHIBIT_RECORD = "exhibit.record"
    EXHIBIT_EXAMINE = "exhibit.examine"
    # Tactical meetings (C5): the series, agendas, attendance, decisions, actions, minutes
    MEETING_VIEW = "meeting.view"
    MEETING_RUN = "meeting.run"
    MEETING_ACTION_VIEW = "meeting.action_view"
    MEETING_ACTION_UPDATE = "meeting.action_update"
    # Disruption register (C6): tactics applied to those who exploit children, their
    # breaches, and whether they work
    DISRUPTION_VIEW = "disruption.view"
    DISRUPTION_RECORD = "disruption.record"
    DISRUPTION_CHANGE = "disruption.change"
    DISRUPTION_EFFECTIVENESS_VIEW = "disruption.effectiveness_view"
    DISRUPTION_TACTIC_ADD = "disruption.tactic_add"
    # Workforce training (C9): courses, people's training records and compliance
    TRAINING_COURSE_VIEW = "training.course_view"
    TRAINING_PERSON_VIEW = "training.person_view"
    TRAINING_RECORD = "training.record"
    TRAINING_IMPORT = "training.import"
    TRAINING_COURSE_MANAGE = "training.course_manage"
    TRAINING_COMPLIANCE_VIEW = "training.compliance_view"
    # Performance and scrutiny (C10)
    PERFORMANCE_VIEW = "performance.view"
    PERFORMANCE_PUBLISH = "performance.publish"
    PERFORMANCE_PUBLISHED_VIEW = "performance.published_view"
    # Disproportionality and data quality (C12)
    EQUALITY_VIEW = "equality.view"
    EQUALITY_PUBLISHED_VIEW = "equality.published_view"
    # The problem profile (C11): live hotspots and patterns.
    PROFILE_VIEW = "profile.view"
    # The problem profile document: an analyst drafts, a senior leader publishes; the
    # published restricted version stays in the hub, the partnership version is shared.
    PROFILE_DRAFT = "profile.draft"
    PROFILE_PUBLISH = "profile.publish"
    PROFILE_RESTRICTED_VIEW = "profile.restricted_view"
    PROFILE_PARTNERSHIP_VIEW = "profile.partnership_view"
    # Inspection recommendations and accountability (C15): the tracker (inspections,
    # recommendations and areas for improvement, actions, the force's status beside the
    # PCC's assessment), the force managing it, the PCC's office scrutinising it and
    # publishing progress statements, and owners updating their own actions.
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_MANAGE = "inspection.manage"
    RECOMMENDATION_ASSESS = "recommendation.assess"
    PROGRESS_STATEMENT_PUBLISH = "progress_statement.publish"
    PROGRESS_STATEMENT_VIEW = "progress_statement.view"
    IMPROVEMENT_ACTION_VIEW = "improvement_action.view"
    IMPROVEMENT_ACTION_UPDATE = "improvement_action.update"
    # Capacity against demand (C9): teams' establishment by month (recorded by the senior
    # leader of the team's agency, or an administrator), the caseload weighting, named
    # caseloads (personal data about staff), and the resourcing evidence report.
    WORKFORCE_ESTABLISHMENT = "workforce.establishment"
    WORKFORCE_WEIGHTING_CHANGE = "workforce.weighting_change"
    WORKFORCE_CASELOAD_VIEW = "workforce.caseload_view"
    WORKFORCE_REPORT_VIEW = "workforce.report_view"
    # Areas and census populations (aggregates, no personal data)
    AREA_VIEW = "area.view"
    # Information governance
    AUDIT_LOG_VIEW = "audit.view"
    # The background jobs' states, progress and outcomes (no job's data)
    BACKGROUND_JOBS_VIEW = "governance.background_jobs_view"
    # Long work a user asked for from a page (publishing, a PDF): its page and result
    REQUESTED_JOB_VIEW = "governance.requested_job_view"
    # Retention review (MoPI and data protection): the rules, the review queue and its
    # decisions, disposal approved by a second officer, legal holds.
    RETENTION_RULES_VIEW = "retention.rules_view"
    RETENTION_REVIEW = "retention.review"
    DISPOSAL_DECIDE = "retention.disposal_decide"
    LEGAL_HOLD_MANAGE = "retention.legal_hold_manage"
    # The register of information-sharing agreements (no personal data in it): read by
    # everyone, recorded and changed by information governance
    SHARING_AGREEMENT_VIEW = "sharing_agreement.view"
    SHARING_AGREEMENT_MANAGE = "sharing_agreement.manage"
    # Subject access requests: the register, gathering, redaction and the disclosure
    # bundle (information governance only; nobody else may know a request exists)
    SUBJECT_ACCESS_MANAGE = "subject_access.manage"
    # Administration of agencies, teams and users
    ACCOUNTS_MANAGE = "accounts.manage"
    # Changes of access that need a second administrator's approval
    ROLE_CHANGE_VIEW = "accounts.role_change_view"
    ROLE_CHANGE_DECIDE = "accounts.role_change_decide"
