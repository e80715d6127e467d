"""Match review: the pairs of records the matching model proposes as one person, and a
reviewer's decision on each. Thin: ``people.matching`` reads (through ``access``) and
decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.people import background_jobs, matching, merging
from macehub.people.codes import IdentifierKind, MatchDecision
from macehub.people.forms import MatchDecisionForm, MergeForm, UnmergeForm
from macehub.people.identity import LATEST_FIRST
from macehub.people.linkage_records import FIELD_LABELS
from macehub.people.models import (
    MatchCandidate,
    MatchRun,
    Person,
    PersonAddress,
    PersonIdentifier,
)

PAIRS_PER_PAGE = 25

QUEUE_TABS = (("waiting", "Waiting for a decision"), ("not-sure", "Not sure"))

# How each field's evidence is tagged: what it says, and its GOV.UK tag colour.
AGREEMENT_TAGS = {
    "agrees": ("Agrees", "green"),
    "partly": ("Close", "yellow"),
    "differs": ("Differs", "red"),
    "missing": ("Missing", "grey"),
}

DECISION_MESSAGES = {
    MatchDecision.SAME: "Recorded: the same person. Both records stay as they are until "
                        "they are merged.",
    MatchDecision.NOT_SAME: "Recorded: different people. This pair will not be proposed again.",
    MatchDecision.NOT_SURE: "Recorded: not sure. The pair stays in the “Not sure” list.",
}

CONFLICT_MESSAGE = (
    "Someone else decided this pair, or the matching model renewed its evidence, while "
    "you were reading it. Your decision has not been saved. Check the pair, then decide "
    "again."
)


@requires(Action.PERSON_MATCH_REVIEW)
def match_queue(request: HubRequest) -> HttpResponse:
    """The pairs waiting for a decision (or marked "not sure"), the likeliest first."""
    show = request.GET.get("show", "waiting")
    if show not in matching.QUEUES:
        show = "waiting"
    page = Paginator(matching.match_queue(request.user, show), PAIRS_PER_PAGE).get_page(
        request.GET.get("page"))
    page.object_list = list(page.object_list)
    matching.record_match_queue_viewed(user=request.user, shown=page.object_list, show=show,
                                       request=request)
    base = reverse("people:match_queue")
    tabs = [{"text": text, "href": f"{base}?show={key}", "active": key == show}
            for key, text in QUEUE_TABS]
    return render(request, "people/match_queue.html", {
        "page_obj": page, "show": show, "tabs": tabs,
        "heading": dict(QUEUE_TABS)[show], "latest_run": MatchRun.objects.first(),
        "run_under_way": background_jobs.matching_run_under_way(),
    })


@requires(Action.PERSON_MATCH_REVIEW)
@require_POST
def find_matches(request: HubRequest) -> HttpResponse:
    """Queue a matching run (it proposes pairs, never merges) and follow it on its page;
    one at a time: asked for while one is waiting or under way, the reviewer is told and
    taken to it (or, if someone else asked for it, back to the queue)."""
    job, started = background_jobs.start_matching_run(actor=request.user)
    if started:
        return redirect("audit:requested_job", requested_job_pk=job.pk)
    if job.requested_by_id == request.user.pk:
        messages.info(request, "You have already asked for a matching run: this is it.")
        return redirect("audit:requested_job", requested_job_pk=job.pk)
    messages.info(request, "Someone else has already asked for a matching run, and only one "
                           "runs at a time. Its pairs will appear here when it finishes.")
    return redirect("people:match_queue")


@dataclass(frozen=True)
class RecordSummary:
    """One side of a pair as the reviewer compares it."""

    person: Person
    postcode: str
    identifiers: list[tuple[str, str]]


def _summaries(candidate: MatchCandidate) -> tuple[RecordSummary, RecordSummary]:
    people = (candidate.first, candidate.second)
    postcodes: dict[int, str] = {}
    for address in PersonAddress.objects.filter(
            person__in=people, is_current=True).order_by(*LATEST_FIRST):
        postcodes.setdefault(address.person_id, address.postcode)
    held: dict[int, list[tuple[str, str]]] = {person.pk: [] for person in people}
    labels = dict(IdentifierKind.choices)
    for person_id, kind, value in PersonIdentifier.objects.filter(person__in=people).order_by(
            "kind", "value").values_list("person_id", "kind", "value"):
        held[person_id].append((str(labels.get(kind, kind)), value))
    first, second = (RecordSummary(person=person, postcode=postcodes.get(person.pk, ""),
                                   identifiers=held[person.pk]) for person in people)
    return first, second


def _evidence_rows(candidate: MatchCandidate) -> list[dict[str, Any]]:
    rows = []
    for evidence in candidate.evidence:
        text, colour = AGREEMENT_TAGS.get(evidence["agreement"], (evidence["agreement"], "grey"))
        rows.append({
            "field": FIELD_LABELS.get(evidence["field"], evidence["field"]),
            "left": evidence["left"], "right": evidence["right"],
            "level": evidence["label"], "tag": text, "colour": colour,
            "weight": evidence["weight"],
        })
    return rows


def _review_page(request: HubRequest, candidate: MatchCandidate, *,
                 form: MatchDecisionForm | None = None, merge_form: MergeForm | None = None,
                 conflict: EditConflict | None = None) -> HttpResponse:
    """The review page: both records, the evidence, and the decision, or once decided
    "the same person", the merge (its form, or the merge made)."""
    user = request.user
    decided = candidate.decision not in matching.STILL_OPEN
    merge = candidate.merges.filter(unmerged_at__isnull=True).first()
    may_merge = (candidate.decision == MatchDecision.SAME and merge is None
                 and allows(user, Action.PERSON_MERGE))
    if may_merge and merge_form is None:
        merge_form = MergeForm(pair=(candidate.first, candidate.second),
                               initial={"version": candidate.version})
    if not decided and form is None:
        form = MatchDecisionForm(initial={"version": candidate.version})
    first, second = _summaries(candidate)
    errors = bool((form and form.errors) or (merge_form and merge_form.errors))
    return render(request, "people/match_review.html", {
        "candidate": candidate,
        "sides": [{"heading": "First record", "summary": first},
                  {"heading": "Second record", "summary": second}],
        "evidence": _evidence_rows(candidate), "form": form, "conflict": conflict,
        "decided": decided, "decision_label": MatchDecision(candidate.decision).label,
        "merge": merge, "merge_form": merge_form if may_merge else None,
        "has_errors": errors,
    }, status=400 if errors else 200)


@requires(Action.PERSON_MATCH_REVIEW)
def match_review(request: HubRequest, match_pk: int) -> HttpResponse:
    """Two records side by side, the model's evidence field by field, and the decision."""
    user = request.user
    candidate = matching.match_for(user, match_pk)
    if request.method == "GET":
        opening.record_viewed(request, candidate, page="match review",
                              detail={"people": [candidate.first_id, candidate.second_id]})
    if request.method != "POST" or candidate.decision not in matching.STILL_OPEN:
        return _review_page(request, candidate)
    form = MatchDecisionForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            decided = matching.decide_match(
                actor=user, candidate_pk=candidate.pk,
                expected_version=form.cleaned_data["version"],
                decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
        except EditConflict as error:
            conflict = error
            form = form_after_conflict(MatchDecisionForm, request.POST, error, CONFLICT_MESSAGE)
            candidate = matching.match_for(user, match_pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, DECISION_MESSAGES[MatchDecision(decided.decision)])
            if decided.decision == MatchDecision.SAME and allows(user, Action.PERSON_MERGE):
                return redirect("people:match_review", match_pk=decided.pk)
            return redirect("people:match_queue")
    return _review_page(request, candidate, form=form, conflict=conflict)


MERGE_CONFLICT_MESSAGE = (
    "Someone else changed this pair while you were reading it. Nothing has been merged. "
    "Check the pair, then merge again."
)


@requires(Action.PERSON_MATCH_REVIEW)
def merge_pair(request: HubRequest, match_pk: int) -> HttpResponse:
    """Merge a pair decided to be one person into the record the user chose to keep. The
    pair is found as its review page finds it; ``merge_people`` asks for the merging
    role as well."""
    user = request.user
    candidate = matching.match_for(user, match_pk)
    if request.method != "POST":  # the form is on the pair's review page
        return redirect("people:match_review", match_pk=candidate.pk)
    pair = (candidate.first, candidate.second)
    form = MergeForm(request.POST, pair=pair)
    conflict = None
    if form.is_valid():
        try:
            merge = merging.merge_people(
                actor=user, match_pk=candidate.pk,
                expected_version=form.cleaned_data["version"],
                kept_pk=form.cleaned_data["kept"], reason=form.cleaned_data["reason"])
        except EditConflict as error:
            conflict = error
            candidate = matching.match_for(user, match_pk)
            form = form_after_conflict(lambda data: MergeForm(data, pair=pair), request.POST,
                                       error, MERGE_CONFLICT_MESSAGE)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, (
                f"{merge.merged.full_name} (record {merge.merged_id}) has been merged into "
                f"{merge.kept.full_name} (record {merge.kept_id})."))
            return redirect("people:merge_detail", merge_pk=merge.pk)
    return _review_page(request, candidate, merge_form=form, conflict=conflict)


UNMERGE_CONFLICT_MESSAGE = (
    "Someone else undid or changed this merge while you were reading it. Check it, then "
    "try again."
)


def _moved_rows(counts: dict[str, list[Any]]) -> list[tuple[str, int]]:
    """"Referrals: 2": how many rows of each kind a merge moved, in words."""
    rows = []
    for label, pks in counts.items():
        field = merging.field_for(label)
        name = str(field.model._meta.verbose_name_plural)
        rows.append((name[:1].upper() + name[1:], len(pks)))
    return sorted(rows)


@requires(Action.PERSON_MERGE)
def merge_detail(request: HubRequest, merge_pk: int) -> HttpResponse:
    """A merge: the two records, what moved, who merged them and why; and undoing it."""
    user = request.user
    merge = merging.merge_for(user, merge_pk)
    if request.method == "GET":
        opening.record_viewed(request, merge, page="merge",
                              detail={"people": [merge.kept_id, merge.merged_id]})
    conflict = None
    form = None
    if not merge.is_undone:
        form = UnmergeForm(request.POST if request.method == "POST" else None,
                           initial={"version": merge.version})
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            merging.unmerge_people(actor=user, merge_pk=merge.pk,
                                   expected_version=form.cleaned_data["version"],
                                   reason=form.cleaned_data["reason"])
        except EditConflict as error:
            conflict = error
            form = form_after_conflict(UnmergeForm, request.POST, error,
                                       UNMERGE_CONFLICT_MESSAGE)
            merge = merging.merge_for(user, merge_pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, (
                f"The merge has been undone. {merge.merged.full_name} (record "
                f"{merge.merged_id}) stands on its own again, with everything that was "
                f"moved from it."))
            return redirect("people:merge_detail", merge_pk=merge.pk)
    return render(request, "people/merge_detail.html", {
        "merge": merge, "form": form, "conflict": conflict,
        "moved": _moved_rows(merge.moved), "held_already": _moved_rows(merge.held_already),
    }, status=400 if form is not None and form.errors else 200)
