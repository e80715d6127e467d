"""The people, places, vehicles, phones, online accounts and premises a report links to:
an existing record the user may see, or a new one (found first, so it is not made
twice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.phones import normalise_phone
from macehub.core.service_errors import ServiceRefused
from macehub.intelligence import selectors
from macehub.intelligence.codes import ROLES_BY_KIND, AccountPlatform, EntityKind, PremisesKind
from macehub.intelligence.models import (
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Vehicle,
)
from macehub.intelligence.normalise import normalise_handle, normalise_registration
from macehub.intelligence.services.grading import _text_summary
from macehub.intelligence.services.reports import _report_for_change
from macehub.people.codes import AliasKind
from macehub.people.identifiers import normalise_postcode
from macehub.people.models import Area
from macehub.people.postcodes import fill_coordinates, latitude_longitude
from macehub.people.selectors import people_for
from macehub.people.services import PersonDetails, create_person

STREET_NAME_LENGTH = 100


@dataclass(frozen=True)
class NewLocation:
    description: str
    address: str = ""
    postcode: str = ""
    area_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    # British National Grid, metres; entered, or else from the postcode directory.
    easting: int | None = None
    northing: int | None = None


@dataclass(frozen=True)
class NewVehicle:
    registration: str


@dataclass(frozen=True)
class NewPhone:
    number: str


@dataclass(frozen=True)
class NewAccount:
    platform: str
    handle: str


@dataclass(frozen=True)
class NewPremises:
    name: str
    kind: str
    licence_reference: str = ""
    address: str = ""
    postcode: str = ""


NewEntity = NewLocation | NewVehicle | NewPhone | NewAccount | NewPremises
KIND_OF_NEW: dict[type[Any], str] = {
    NewLocation: EntityKind.LOCATION, NewVehicle: EntityKind.VEHICLE,
    NewPhone: EntityKind.PHONE, NewAccount: EntityKind.ACCOUNT,
    NewPremises: EntityKind.PREMISES,
}


@dataclass(frozen=True)
class LinkRequest:
    """Link a report to one entity: an existing record (``existing_pk``), a new or
    natural-keyed one (``new``), or for people a new person record (``new_person``)."""

    kind: str
    role: str
    description: str = ""
    existing_pk: int | None = None
    new: NewEntity | None = None
    new_person: PersonDetails | None = None
    # A new person's nickname or street name: recorded as their alias, and all that
    # names them when their real name is not known.
    new_person_street_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _refuse_invalid(error: ValidationError, field_name: str) -> ServiceRefused:
    return ServiceRefused(" ".join(error.messages), field=field_name)


def _postcode(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_postcode(value)
    except ValidationError as error:
        raise _refuse_invalid(error, "postcode") from error


def place_on_grid(location: Location) -> None:
    """The location's grid coordinates from its postcode (when none were entered), and
    its latitude and longitude from them for the map when it has none of its own."""
    fill_coordinates(location)
    if location.easting is not None and location.northing is not None \
            and location.latitude is None and location.longitude is None:
        latitude, longitude = latitude_longitude(location.easting, location.northing)
        location.latitude = Decimal(f"{latitude:.5f}")
        location.longitude = Decimal(f"{longitude:.5f}")


def _new_location(new: NewLocation) -> tuple[Location, bool]:
    if not new.description.strip():
        raise ServiceRefused("Describe the location, like 'Car park behind the Co-op'",
                             field="description")
    area = None
    if new.area_code.strip():
        area = Area.objects.filter(code=new.area_code.strip().upper()).first()
        if area is None:
            raise ServiceRefused("There is no area with this code", field="area_code")
    for value, name, limit in ((new.latitude, "latitude", 90), (new.longitude, "longitude", 180)):
        if value is not None and not -limit <= value <= limit:
            raise ServiceRefused(f"The {name} must be between -{limit} and {limit}",
                                 field=name)
    for metres, grid_name, largest in ((new.easting, "easting", 800_000),
                                       (new.northing, "northing", 1_300_000)):
        if metres is not None and not 0 <= metres <= largest:
            raise ServiceRefused(f"The {grid_name} must be between 0 and {largest:,} metres",
                                 field=grid_name)
    if (new.easting is None) != (new.northing is None):
        raise ServiceRefused("Give both the easting and the northing, or neither",
                             field="easting" if new.easting is None else "northing")
    location = Location(
        description=new.description.strip(), address=new.address.strip(),
        postcode=_postcode(new.postcode), area=area,
        latitude=new.latitude, longitude=new.longitude,
        easting=new.easting, northing=new.northing,
    )
    place_on_grid(location)
    location.save()
    return location, True


def _new_vehicle(new: NewVehicle) -> tuple[Vehicle, bool]:
    try:
        registration = normalise_registration(new.registration)
    except ValidationError as error:
        raise _refuse_invalid(error, "registration") from error
    return Vehicle.objects.get_or_create(registration=registration)


def _new_phone(new: NewPhone) -> tuple[PhoneNumber, bool]:
    try:
        number = normalise_phone(new.number)
    except ValidationError as error:
        raise _refuse_invalid(error, "number") from error
    return PhoneNumber.objects.get_or_create(number=number)


def _new_account(new: NewAccount) -> tuple[OnlineAccount, bool]:
    if new.platform not in AccountPlatform.values:
        raise ServiceRefused("Select the platform", field="platform")
    try:
        handle = normalise_handle(new.handle)
    except ValidationError as error:
        raise _refuse_invalid(error, "handle") from error
    return OnlineAccount.objects.get_or_create(platform=new.platform, handle=handle)


def _new_premises(new: NewPremises) -> tuple[Premises, bool]:
    if not new.name.strip():
        raise ServiceRefused("Enter the name of the premises or business", field="name")
    if new.kind not in PremisesKind.values:
        raise ServiceRefused("Select the kind of premises", field="premises_kind")
    location = None
    if new.address.strip() or new.postcode.strip():
        location = Location(description=new.name.strip(), address=new.address.strip(),
                            postcode=_postcode(new.postcode))
        place_on_grid(location)
        location.save()
    premises = Premises(name=new.name.strip(), kind=new.kind, location=location,
                        licence_reference=new.licence_reference.strip())
    premises.save()
    return premises, True


def _find_or_create(new: NewEntity) -> tuple[Model, bool]:
    if isinstance(new, NewLocation):
        return _new_location(new)
    if isinstance(new, NewVehicle):
        return _new_vehicle(new)
    if isinstance(new, NewPhone):
        return _new_phone(new)
    if isinstance(new, NewAccount):
        return _new_account(new)
    return _new_premises(new)


NOT_FOUND_CHOICE = (
    "The record you chose was not found, or you may not see it. Search again and choose "
    "from the results"
)


def _existing(actor: User, kind: str, pk: int) -> Model:
    """An existing record to link to, if the user may see it: nothing is said about
    records they may not."""
    queryset: Any
    if kind == EntityKind.PERSON:
        queryset = people_for(actor)
    else:
        queryset = selectors.entities_for(actor, selectors.ENTITY_MODELS[kind])
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise ServiceRefused(NOT_FOUND_CHOICE, field="existing")
    return record


def _new_person(actor: User, details: PersonDetails, street_name: str) -> Model:
    """A person the report mentions: by their names, or by the nickname or street name
    they go by when their real name is not known (never "Unknown Unknown")."""
    street_name = street_name.strip()
    if len(street_name) > STREET_NAME_LENGTH:
        raise ServiceRefused(
            f"The nickname or street name must be {STREET_NAME_LENGTH} characters or fewer",
            field="nickname")
    given, family = details.given_name.strip(), details.family_name.strip()
    if not street_name:
        missing: dict[str, str] = {}
        if not given and not family:
            missing["given_name"] = ("Enter the person's name, or the nickname or street "
                                     "name they are known by")
        if given and not family:
            missing["family_name"] = ("Enter the person's last name, or leave both names "
                                      "blank and give their nickname or street name")
        if family and not given:
            missing["given_name"] = ("Enter the person's first name, or leave both names "
                                     "blank and give their nickname or street name")
        if missing:
            raise ServiceRefused(missing)
    return create_person(
        actor=actor, details=details,
        alias=(street_name, "") if street_name else None, alias_kind=AliasKind.NICKNAME,
    )


@transaction.atomic
def link_entity(*, actor: User, report_pk: int, request: LinkRequest) -> ReportLink:
    """Link a report to a person, place, vehicle, phone, account or premises, with the
    role it plays there and how the report describes it. A vehicle, phone or account is
    found by its normalised key, so the same one typed another way is the same record;
    finding one changes nothing on it (what this report says stays on the link)."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_LINK)
    kind = request.kind
    if kind not in EntityKind.values:
        raise ServiceRefused("Select what the report mentions", field="kind")
    if request.role not in [role.value for role in ROLES_BY_KIND[kind]]:
        raise ServiceRefused("Select the role it plays in the report", field="role")
    created = False
    entity: Model
    if request.existing_pk is not None:
        entity = _existing(actor, kind, request.existing_pk)
    elif kind == EntityKind.PERSON:
        if request.new_person is None:
            raise ServiceRefused("Choose a person, or record a new one", field="existing")
        entity = _new_person(actor, request.new_person, request.new_person_street_name)
        created = True
    else:
        if request.new is None or KIND_OF_NEW[type(request.new)] != kind:
            raise ServiceRefused("Choose a record, or describe a new one",
                                 field="existing")
        entity, created = _find_or_create(request.new)
        if created:
            record_event(event_type=EventType.CREATE, actor=actor, record=entity,
                         detail={"for_report": report.reference})
    if ReportLink.objects.filter(report=report, role=request.role, **{kind: entity}).exists():
        raise ServiceRefused("The report already links this record in this role",
                             field="role")
    link = ReportLink.objects.create(report=report, role=request.role,
                                     description=request.description.strip()[:300],
                                     **{kind: entity})
    record_event(
        event_type=EventType.CREATE, actor=actor, record=link,
        detail={"report": report.reference, "kind": kind, "entity_id": entity.pk,
                "role": request.role, "entity_created": created,
                "description": _text_summary(request.description.strip())},
    )
    return link


@transaction.atomic
def remove_link(*, actor: User, report_pk: int, link_pk: int) -> None:
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_LINK)
    link = ReportLink.objects.filter(report=report, pk=link_pk).first()
    if link is None:
        raise Http404("No such record")
    detail = {"report": report.reference, "kind": link.kind,
              "entity_id": getattr(link, f"{link.kind}_id"), "role": link.role}
    link_id = link.pk
    link.delete()
    record_event(event_type=EventType.DELETE, actor=actor,
                 record_type="intelligence.reportlink", record_id=link_id, detail=detail)
