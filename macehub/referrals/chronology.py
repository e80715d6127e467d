"""Referrals in a child's chronology: each referral received, information the referrer
added to it afterwards, and each triage decision.

Hub staff who may read referrals see them all, with the rating and the reason; anyone
else sees the referrals they made themselves, and of those only what a referrer is
shown (the outcome, not the screening or the triage reasons).

Someone working with the child who may not read a referral (a victim advocate, a
partner worker) still sees that it was made and by which agency: "Referral received
from Northtown Academy", with no link, no reference and nothing of its content. Only to
those who may see one of the child's cases (the chronology is read on a case), and not
for a referral that opened or joined a case they may not see, whose restriction or
scope guards it.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases.codes import Brag, RiskTier, short_label
from macehub.cases.models import Case
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person
from macehub.referrals.models import Referral

CATEGORY = "Referral"


@chronology_source("referrals")
def referral_events(user: User, child: Person) -> list[ChronologyEntry]:
    about_child = Referral.objects.filter(child=child).select_related(
        "referrer", "referrer_agency", "decided_by"
    ).prefetch_related("additions__added_by").order_by("received_at", "pk")
    in_full = policy.allows(user, Action.REFERRAL_VIEW)
    action = Action.REFERRAL_VIEW if in_full else Action.REFERRAL_VIEW_OWN
    entries: list[ChronologyEntry] = []
    readable = list(policy.scope(user, action, about_child))
    for referral in readable:
        url = reverse("referrals:detail" if in_full else "referrals:mine_detail",
                      kwargs={"referral_pk": referral.pk})
        entries.append(ChronologyEntry(
            occurred_at=referral.received_at,
            category=CATEGORY,
            title=f"Referral {referral.reference} received from "
                  f"{referral.referrer_agency.name}",
            text=(f"{referral.get_exploitation_model_display()}. "
                  f"Suggested rating {short_label(Brag(referral.suggested_brag))}, "
                  f"score {referral.screening_score}." if in_full
                  else referral.get_exploitation_model_display()),
            byline=referral.referrer.display_name,
            verb="Referred",
            url=url,
        ))
        for addition in referral.additions.all():
            entries.append(ChronologyEntry(
                occurred_at=addition.added_at,
                category=CATEGORY,
                title=f"Information added to referral {referral.reference}",
                text=addition.text,
                byline=addition.added_by.display_name,
                url=url,
            ))
        if referral.is_decided and referral.decided_at is not None:
            if in_full:
                tier = (f"risk tier {short_label(RiskTier(referral.risk_tier))}"
                        if referral.risk_tier else "no risk tier")
                text = (f"Rating {short_label(Brag(referral.brag))}, {tier}. "
                        f"{referral.outcome_reason}")
            else:
                text = referral.outcome_in_plain_words
            entries.append(ChronologyEntry(
                occurred_at=referral.decided_at,
                category=CATEGORY,
                title=f"Triage decision on {referral.reference}: "
                      f"{referral.get_outcome_display()}",
                text=text,
                byline=(referral.decided_by.display_name
                        if in_full and referral.decided_by else ""),
                verb="Decided",
                url=url,
            ))
    entries.extend(_referrals_made(user, child, {referral.pk for referral in readable}))
    return entries


def _referrals_made(user: User, child: Person, readable: set[int]) -> list[ChronologyEntry]:
    """That each other referral was made, and by which agency: nothing more."""
    cases_seen = policy.scope(user, Action.CASE_VIEW, Case.objects.filter(child_id=child.pk))
    if not cases_seen.exists():
        return []
    # A referral points at the case it opened or joined: one whose case the user may not
    # see stays out (that case's restriction or scope guards it).
    unseen = Referral.objects.filter(child=child).exclude(pk__in=readable).filter(
        Q(case__isnull=True) | Q(case__in=cases_seen)
    )
    return [
        ChronologyEntry(
            occurred_at=referral.received_at, category=CATEGORY,
            title=f"Referral received from {referral.referrer_agency.name}",
            text="You may not read this referral.",
        )
        for referral in unseen.select_related("referrer_agency").order_by("received_at", "pk")
    ]
