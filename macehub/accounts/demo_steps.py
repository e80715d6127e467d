"""Demo data for the accounts: a change of access waiting for a second administrator, so
that ``admin2.police`` finds it in their work queue on the home page (and
``admin.police``, who asked, does not)."""

from __future__ import annotations

from macehub.access import account_services as services
from macehub.accounts.models import RoleChangeRequest, User
from macehub.accounts.roles import Role, RoleChangeStatus
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step

ACCESS_CHANGES_ORDER = 1050
ASKED_BY = "admin.police"
SUBJECT = "referrer.socialcare"
REASON = ("Joining the MACE hub's intelligence cell on secondment from Monday: needs to "
          "read and research intelligence.")


def delete_demo_access_changes(progress: Progress) -> dict[str, int]:
    deleted, _ = RoleChangeRequest.objects.filter(
        requested_by__username=ASKED_BY, subject__username=SUBJECT, reason=REASON,
        status=RoleChangeStatus.PENDING,
    ).delete()
    return {"changes of access waiting": deleted}


@demo_step("access_changes", order=ACCESS_CHANGES_ORDER, reset=delete_demo_access_changes,
           description="a change of access waiting for a second administrator")
def demo_access_changes(ctx: DemoContext) -> None:
    asker, subject = ctx.users.get(ASKED_BY), ctx.users.get(SUBJECT)
    if asker is None or subject is None:
        return
    account = User.objects.get(pk=subject.pk)
    saved = services.save_user(actor=asker, user=account,
                               roles=[Role.REFERRER, Role.ANALYST], reason=REASON)
    if saved.request is not None:
        ctx.count("changes of access waiting", 1)
