"""Where a child went missing from and where they were found: a postcode each on the
missing episode form, placed on the grid from the postcode directory when saved, kept
when left out, refused (and kept as typed) when not a postcode, and audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.cases import services
from macehub.cases.models import MissingEpisode
from macehub.cases.tests.conftest import ago, client_for
from macehub.cases.tests.test_child_missing_episodes import _form
from macehub.people.codes import CoordinateSource
from macehub.people.models import Postcode

pytestmark = pytest.mark.django_db


def test_the_form_places_the_episode_from_the_directory(child, triage):
    Postcode.objects.create(postcode="XB1 1AA", easting=440123, northing=300456)
    url = reverse("cases:child_add_missing_episode", args=[child.pk])
    client = client_for(triage)
    response = client.post(url, _form(ago(hours=60), ago(hours=40),
                                      missing_from_postcode="xb11aa",
                                      found_postcode="XB9 9ZZ"))
    assert response.status_code == 302
    episode = MissingEpisode.objects.get()
    assert episode.missing_from_postcode == "XB1 1AA"
    assert (episode.missing_from_easting, episode.missing_from_northing) == (440123, 300456)
    assert episode.missing_from_source == CoordinateSource.POSTCODE_DIRECTORY
    # A postcode the directory does not hold is kept without a place.
    assert episode.found_postcode == "XB9 9ZZ" and episode.found_easting is None
    # An update that leaves the places out keeps them.
    services.update_missing_episode(actor=triage, episode_pk=episode.pk,
                                    went_missing_at=episode.went_missing_at,
                                    returned_at=episode.returned_at, notes="Found at a friend's")
    episode.refresh_from_db()
    assert episode.missing_from_easting == 440123


def test_a_postcode_that_is_not_one_is_refused_and_kept(child, triage):
    url = reverse("cases:child_add_missing_episode", args=[child.pk])
    response = client_for(triage).post(url, _form(ago(hours=6),
                                                  missing_from_postcode="nowhere"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a real UK postcode" in page and 'value="nowhere"' in page
    assert not MissingEpisode.objects.exists()
