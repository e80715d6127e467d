"""Which records of this app reveal a case, for ``access.opening`` (read through its
``REVEALERS`` registry, which imports this module)."""

from macehub.access.opening import reveals_cases
from macehub.cases.models import Case
from macehub.referrals.models import Referral

# A referral shows the child and what worries people about them: as much as their case
# does, so a restricted case of the child asks for its reason here too.
reveals_cases(Referral, behind=lambda referral: Case.objects.filter(
    child_id=referral.child_id), reason_page="cases:open_restricted")
