"""Area pages: the hub's areas and their Census 2021 populations by ethnic group.

These are aggregate figures with no personal data, so reading them is not audited; who
may open them is still decided by the access policy (``Action.AREA_VIEW``).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from macehub.access.actions import Action
from macehub.access.views import requires
from macehub.people.census import CENSUS_2021_TS021, census_breakdown
from macehub.people.census_by_age import CENSUS_2021_BY_AGE, census_by_age_breakdown
from macehub.people.codes import AreaKind
from macehub.people.models import Area

AREAS_PER_PAGE = 50


class AreaFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of area", required=False, choices=[("", "All kinds"), *AreaKind.choices]
    )


@requires(Action.AREA_VIEW)
def area_list(request: HttpRequest) -> HttpResponse:
    form = AreaFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    areas = Area.objects.select_related("parent").order_by("code")
    if kind:
        areas = areas.filter(kind=kind)
    page_obj = Paginator(areas, AREAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/area_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "areas": page_obj.object_list,
            "kind_label": AreaKind(kind).label if kind else "",
        },
    )


@requires(Action.AREA_VIEW)
def area_detail(request: HttpRequest, area_code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=area_code.upper())
    return render(
        request,
        "people/area_detail.html",
        {
            "area": area,
            "breakdown": census_breakdown(area),
            "by_age": census_by_age_breakdown(area),
            "by_age_source": CENSUS_2021_BY_AGE,
            "children": area.children.order_by("code"),
            "source": CENSUS_2021_TS021,
        },
    )
