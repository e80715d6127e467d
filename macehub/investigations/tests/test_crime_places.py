"""A crime's postcode: recorded with the crime, placed on the grid from the postcode
directory, and refused when it is not a postcode."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from macehub.investigations import services
from macehub.investigations.tests.test_services import force, record  # noqa: F401
from macehub.people.codes import CoordinateSource
from macehub.people.models import Postcode

pytestmark = pytest.mark.django_db


def test_a_crimes_postcode_places_it(force: dict[str, Any]) -> None:  # noqa: F811
    Postcode.objects.create(postcode="XS2 4QT", easting=441500, northing=302250)
    investigation = record(force, crime=services.CrimeDetails(
        "71", dt.date(2026, 2, 20), "Station car park", "xs2 4qt"))
    crime = investigation.crimes.get()
    assert crime.postcode == "XS2 4QT"
    assert (crime.easting, crime.northing) == (441500, 302250)
    assert crime.coordinates_source == CoordinateSource.POSTCODE_DIRECTORY
    added = services.add_crime(actor=force["investigator"], investigation_pk=investigation.pk,
                               crime=services.CrimeDetails("71", None, "", ""))
    assert added.postcode == "" and added.easting is None


def test_a_crimes_postcode_must_be_one(force: dict[str, Any]) -> None:  # noqa: F811
    with pytest.raises(ValidationError) as error:
        record(force, crime=services.CrimeDetails("71", None, "", "not a postcode"))
    assert "postcode" in error.value.message_dict
