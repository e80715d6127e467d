"""Template tags behind the shared GOV.UK components in ``macehub/ui/templates/components``.

The markup lives in the component templates; these tags only work out what to show:
which GOV.UK pattern suits a form field's widget, the ids that tie labels, hints and
errors together, the error summary's links, the pages to offer in pagination, and the
notification banners for Django messages. Dates and times are shown GOV.UK style in
the hub's time zone (Europe/London).

Three pieces of markup are drawn here instead, because a list page draws them hundreds of
times: the table (``draw_table``), the tag (``draw_tag``) and a select's options
(``govuk_select_options``). Each writes what its template wrote, character for character;
``ui/tests`` keeps those templates and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from django import forms, template
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from macehub.core import codes
from macehub.forms import GovukDateField, GovukDateWidget
from macehub.ui import formatting

register = template.Library()

# Attributes the component templates write themselves; anything else a widget declares
# (autocomplete, inputmode, spellcheck, data-*...) is passed through to the control.
_CONTROLLED_ATTRS = frozenset(
    {"id", "class", "name", "type", "value", "required", "disabled", "checked",
     "aria-describedby", "rows", "cols", "multiple"}
)
_DATE_PART_WIDTHS = {"day": "govuk-input--width-2", "month": "govuk-input--width-2",
                     "year": "govuk-input--width-4"}
_FIELDSET_KINDS = frozenset({"radios", "checkboxes", "date"})


def widget_kind(widget: forms.Widget) -> str:
    """The GOV.UK pattern for a Django widget. Order matters: subclasses come first."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, Input):
        return "input"
    return "other"


@register.filter
def widget_type(bound_field: forms.BoundField) -> str:
    """``{{ form.x|widget_type }}``: "input", "textarea", "select", "radios", "checkboxes",
    "checkbox", "date", "file", "hidden" or "other"."""
    return widget_kind(bound_field.field.widget)


@dataclass
class Option:
    id: str
    name: str
    value: str
    label: str
    checked: bool
    # Fields asked only when this option is chosen (GOV.UK conditional reveal): the
    # form's ``REVEALS`` maps a field name to {option value: [field names]}.
    conditional: list[forms.BoundField] = field(default_factory=list)
    hint: str = ""

    @property
    def conditional_id(self) -> str:
        return f"conditional-{self.id}"


@dataclass
class DatePart:
    part: str
    label: str
    id: str
    name: str
    value: str
    classes: str
    attrs: SafeString


@dataclass
class FieldView:
    """Everything ``components/field.html`` needs to draw one field."""

    kind: str
    id: str
    name: str
    label: str
    label_class: str
    legend_class: str
    is_page_heading: bool
    hint: str
    hint_id: str
    error: str
    error_id: str
    described_by: str
    control_class: str
    input_type: str
    value: Any
    attrs: SafeString
    disabled: bool
    rows: int = 5
    checked: bool = False
    options: list[Option] = field(default_factory=list)
    groups: list[tuple[str | None, list[Option]]] = field(default_factory=list)
    date_parts: list[DatePart] = field(default_factory=list)

    @property
    def uses_fieldset(self) -> bool:
        return self.kind in _FIELDSET_KINDS


def _first_error(bound_field: forms.BoundField) -> tuple[str, str | None]:
    """The message and code of the field's first error ("" and None when it has none)."""
    data = bound_field.form.errors.as_data().get(bound_field.name) if bound_field.errors else None
    if not data:
        return "", None
    first = data[0]
    return " ".join(str(message) for message in first.messages), first.code


def _legend_class(label_class: str) -> str:
    # "govuk-label--l" sizes a label; the same size for a legend is "govuk-fieldset__legend--l".
    return " ".join(
        name.replace("govuk-label--", "govuk-fieldset__legend--") for name in label_class.split()
    )


def _options(widget_context: dict[str, Any]) -> list[tuple[str | None, list[Option]]]:
    """The select's options in its groups. Django gives each option outside a group a
    group of its own; those next to each other are put in one unnamed group here, so the
    field template loops once over a run of them rather than once per option (the area
    filter's few hundred areas cost ~5 ms). The browser sees the same options: only the
    whitespace between them changes."""
    groups: list[tuple[str | None, list[Option]]] = []
    for group_name, group_options, _index in widget_context["optgroups"]:
        options = [
            Option(
                id=str(option["attrs"].get("id", "")),
                name=option["name"],
                value="" if option["value"] is None else str(option["value"]),
                label=str(option["label"]),
                checked=bool(option["selected"]),
            )
            for option in group_options
        ]
        if not group_name and groups and not groups[-1][0]:
            groups[-1][1].extend(options)
        else:
            groups.append((group_name, options))
    return groups


def _shown(value: Any, context: template.Context) -> str:
    """A value as the template language writes ``{{ value }}`` in ``context`` (escaped,
    localised): how the components drawn in Python write every value they are given."""
    if isinstance(value, str):
        # What render_value_in_context makes of text (neither localised nor a time),
        # without asking: a filter's select writes hundreds of options.
        return str(conditional_escape(value)) if context.autoescape else value
    return str(template.base.render_value_in_context(value, context))


@register.simple_tag(takes_context=True)
def govuk_select_options(context: template.Context, options: Iterable[Option]) -> SafeString:
    """A select's options as ``components/field.html`` writes them, each on its line: a
    filter's selects offer every area and agency, and drawing each option through the
    template language cost more than the rest of the field."""
    shown = partial(_shown, context=context)
    return mark_safe("".join(  # noqa: S308 (every value is escaped by shown())
        f'<option value="{shown(option.value)}"{" selected" if option.checked else ""}>'
        f"{shown(option.label)}</option>\n    "
        for option in options))


def _add_reveals_and_hints(bound_field: forms.BoundField, options: list[Option]) -> None:
    """The questions each radio reveals (the form's ``REVEALS``) and each radio's hint
    (the form's ``OPTION_HINTS``: field name -> {option value: hint})."""
    form = bound_field.form
    reveals = getattr(form, "REVEALS", {}).get(bound_field.name, {})
    hints = getattr(form, "OPTION_HINTS", {}).get(bound_field.name, {})
    for option in options:
        option.conditional = [form[name] for name in reveals.get(option.value, ())
                              if name in form.fields]
        option.hint = str(hints.get(option.value, ""))


def revealed_field_names(form: forms.BaseForm) -> set[str]:
    """The fields a form asks only inside a radio's conditional reveal."""
    return {name for by_option in getattr(form, "REVEALS", {}).values()
            for names in by_option.values() for name in names}


@register.filter
def top_level_fields(form: forms.BaseForm) -> list[forms.BoundField]:
    """``{% for field in form|top_level_fields %}``: the form's fields without those asked
    inside a conditional reveal (``components/field.html`` draws those in their radio)."""
    revealed = revealed_field_names(form)
    return [bound for bound in form if bound.name not in revealed]


@register.simple_tag
def govuk_field(
    bound_field: forms.BoundField,
    label_class: str | None = "",
    is_page_heading: bool | None = False,
    input_class: str | None = "",
    legend_class: str | None = "",
) -> FieldView:
    """Work out the GOV.UK view of a bound field: ``{% govuk_field field as f %}``."""
    widget = bound_field.field.widget
    kind = widget_kind(widget)
    field_id = bound_field.auto_id or bound_field.html_name
    error, error_code = _first_error(bound_field)
    hint = str(bound_field.help_text or "")
    hint_id = f"{field_id}-hint" if hint else ""
    error_id = f"{field_id}-error" if error else ""
    label_class = label_class or ""
    if is_page_heading and not label_class:
        label_class = "govuk-label--l"

    widget_context = widget.get_context(
        bound_field.html_name, bound_field.value(), {"id": field_id}
    )["widget"]
    declared = widget_context["attrs"]
    classes = [str(declared["class"])] if declared.get("class") else []
    if input_class:
        classes.append(input_class)
    passthrough = {k: v for k, v in declared.items() if k not in _CONTROLLED_ATTRS}

    view = FieldView(
        kind=kind,
        id=field_id,
        name=bound_field.html_name,
        label=str(bound_field.label),
        label_class=label_class,
        legend_class=legend_class or _legend_class(label_class),
        is_page_heading=bool(is_page_heading),
        hint=hint,
        hint_id=hint_id,
        error=error,
        error_id=error_id,
        # A single checkbox's hint sits inside its item and is referenced by the item.
        described_by=" ".join(filter(None, (hint_id, error_id))),
        control_class=" ".join(classes),
        input_type=str(widget_context.get("type") or "text"),
        value=widget_context.get("value"),
        attrs=flatatt(passthrough),
        disabled=bool(bound_field.field.disabled or declared.get("disabled")),
    )
    if kind == "textarea":
        # Django's Textarea defaults to rows="10" (a string); GOV.UK's default is 5.
        rows = declared.get("rows")
        view.rows = 5 if rows in (None, "", "10") else int(rows)
    elif kind == "checkbox":
        view.checked = bool(declared.get("checked"))
    elif kind in ("radios", "checkboxes", "select"):
        view.groups = _options(widget_context)
        view.options = [option for _name, options in view.groups for option in options]
        if kind == "radios":
            _add_reveals_and_hints(bound_field, view.options)
    elif kind == "date":
        wrong = set(GovukDateField.parts_in_error(error_code)) if error else set()
        for subwidget in widget_context["subwidgets"]:
            part = subwidget["part"]
            sub_attrs = {k: v for k, v in subwidget["attrs"].items() if k not in _CONTROLLED_ATTRS}
            view.date_parts.append(DatePart(
                part=part,
                label=part.capitalize(),
                id=str(subwidget["attrs"]["id"]),
                name=subwidget["name"],
                value="" if subwidget["value"] is None else str(subwidget["value"]),
                classes=" ".join(
                    filter(None, (_DATE_PART_WIDTHS[part],
                                  "govuk-input--error" if part in wrong else ""))
                ),
                attrs=flatatt(sub_attrs),
            ))
    return view


def error_target_id(bound_field: forms.BoundField) -> str:
    """The id of the control an error-summary link for this field should move focus to."""
    view = govuk_field(bound_field)
    if view.kind == "date":
        _message, code = _first_error(bound_field)
        first_wrong = GovukDateField.parts_in_error(code)[0]
        return next(p.id for p in view.date_parts if p.part == first_wrong)
    if view.kind in ("radios", "checkboxes") and view.options:
        return view.options[0].id
    return view.id


@register.simple_tag
def govuk_error_summary_items(form: forms.BaseForm) -> list[dict[str, str]]:
    """The error summary's list: non-field errors first, then each field's errors in the
    order the fields appear, each linking to the control to correct."""
    items = [{"text": str(error), "href": ""} for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            href = "" if bound_field.is_hidden else f"#{error_target_id(bound_field)}"
            items.append({"text": str(error), "href": href})
    return items


@dataclass
class PageLink:
    number: int | None
    href: str
    current: bool = False

    @property
    def ellipsis(self) -> bool:
        return self.number is None


@dataclass
class Pagination:
    previous_href: str
    next_href: str
    items: list[PageLink]


def _page_href(request: HttpRequest | None, page_param: str, number: int) -> str:
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"?{page_param}={number}"
    query[page_param] = str(number)
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def govuk_pagination(
    context: template.Context, page_obj: Page[Any], page_param: str = "page"
) -> Pagination | None:
    """Links for GOV.UK pagination that keep the rest of the query string (filters,
    search terms); ``None`` when everything fits on one page."""
    paginator = page_obj.paginator
    if paginator.num_pages <= 1:
        return None
    request = context.get("request")
    items = [
        PageLink(
            number=number,
            href=_page_href(request, page_param, number),
            current=number == page_obj.number,
        )
        if isinstance(number, int)
        else PageLink(number=None, href="")  # Paginator.ELLIPSIS
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    ]
    return Pagination(
        previous_href=_page_href(request, page_param, page_obj.previous_page_number())
        if page_obj.has_previous() else "",
        next_href=_page_href(request, page_param, page_obj.next_page_number())
        if page_obj.has_next() else "",
        items=items,
    )


# How many rows a list on a record's page shows at a time, unless it says otherwise.
ROWS_PER_PAGE = 20


@register.simple_tag(takes_context=True)
def page_of(
    context: template.Context, rows: Any, page_param: str = "page",
    per_page: int = ROWS_PER_PAGE,
) -> Page[Any]:
    """One page of a list on a record's page, chosen by ``page_param`` in the query
    string, so that no list there grows without bound. A page number out of range gives
    the nearest page. Give each list on a page its own ``page_param``; the pagination
    component keeps the others in its links::

        {% page_of overview.contacts "contacts_page" as page_obj %}
        {% include "components/pagination.html" with page_obj=page_obj page_param="contacts_page" %}
    """
    request = context.get("request")
    number = request.GET.get(page_param) if request is not None else None
    return Paginator(rows, per_page).get_page(number)


@register.simple_tag
def page_summary(page_obj: Page[Any], noun: str = "") -> str:
    """"Showing 21 to 40 of 57 contacts" when a list runs to more than one page, and
    nothing when it all fits on one."""
    paginator = page_obj.paginator
    if paginator.num_pages <= 1:
        return ""
    summary = f"Showing {page_obj.start_index()} to {page_obj.end_index()} of {paginator.count}"
    return f"{summary} {noun}" if noun else summary


@register.simple_tag
def govuk_message_banners(message_list: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Django messages as notification banners: success messages in one success banner
    (role="alert"), everything else in one "Important" banner."""
    success: list[str] = []
    other: list[str] = []
    for message in message_list or ():
        (success if message.level == messages.SUCCESS else other).append(str(message))
    banners = []
    if success:
        banners.append({"type": "success", "items": success,
                        "title_id": "govuk-notification-banner-title-success"})
    if other:
        banners.append({"type": "", "items": other,
                        "title_id": "govuk-notification-banner-title"})
    return banners


register.filter("govuk_date", formatting.govuk_date)
register.filter("govuk_datetime", formatting.govuk_datetime)


def draw_tag(text: Any, colour: Any = "", classes: Any = "",
             context: template.Context | None = None) -> SafeString:
    """``components/tag.html``: a GOV.UK tag (and the line ending the component's template
    wrote after it), each value written as the template language writes ``{{ value }}``
    (escaped). Drawn in Python because list pages draw a few in
    every row (``ui/tests/test_tag.py`` compares it with the template that drew it)."""
    shown = partial(_shown, context=context if context is not None else template.Context())
    return mark_safe(  # noqa: S308 (every value is escaped by shown())
        '<strong class="govuk-tag'
        + (f" govuk-tag--{shown(colour)}" if colour else "")
        + (f" {shown(classes)}" if classes else "")
        + f'">{shown(text)}</strong>\n')


@register.simple_tag(takes_context=True)
def govuk_tag(context: template.Context, text: Any, colour: Any = "", classes: Any = ""
              ) -> SafeString:
    """``{% govuk_tag text colour=... classes=... %}``: ``components/tag.html`` without an
    include (for tags drawn in every row of a list)."""
    return draw_tag(text, colour, classes, context)


@register.simple_tag
def code_tag(code_list: str, value: str | None, label: str = "short", classes: str = "") -> str:
    """A code-list value as a GOV.UK tag in the colour its code list declares:
    ``{% code_tag "risk_tier" case.risk_tier %}`` draws "High" in red. ``label="full"``
    shows the whole label. A blank value draws nothing; a value that has left the code
    list is shown as stored, in grey."""
    if value in (None, ""):
        return ""
    member = codes.code_value(code_list, str(value))
    if member is None:
        return draw_tag(str(value), "grey", classes)
    return _code_list_tag(code_list, member.value, label, classes)


@lru_cache(maxsize=1024)
def _code_list_tag(code_list: str, value: str, label: str, classes: str) -> str:
    # The tags of a code list's values are the same on every page for everyone (they
    # hold no one's data), so each is drawn once per process.
    member = codes.code_value(code_list, value)
    if member is None:  # only members are passed in
        return ""
    text = member.short_label if label == "short" else str(member.label)
    return draw_tag(text, member.tag_colour, classes)


@register.filter
def code_short_label(value: str | None, code_list: str) -> str:
    """``{{ case.risk_tier|code_short_label:"risk_tier" }}``: "High" (for running text;
    a value that has left the code list is shown as stored)."""
    if value in (None, ""):
        return ""
    member = codes.code_value(code_list, str(value))
    return str(value) if member is None else member.short_label


class _ComponentAroundNode(template.Node):
    """A component drawn around a body the page writes itself (its ``html`` parameter)."""

    def __init__(self, component: str, nodelist: template.NodeList,
                 params: dict[str, template.base.FilterExpression]) -> None:
        self.component = component
        self.nodelist = nodelist
        self.params = params

    def render(self, context: template.Context) -> str:
        params = {name: value.resolve(context) for name, value in self.params.items()}
        # The body is the page's own template, already escaped as it rendered.
        params["html"] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return render_to_string(self.component, params)


Params = dict[str, template.base.FilterExpression]


def _block_tag(tag_name: str,
               node: Callable[[template.NodeList, Params], template.Node]) -> None:
    """Register ``{% tag_name name=value ... %}…{% endtag_name %}``: its parameters
    (name=value only) and its body are given to ``node`` to draw."""
    def compile_tag(parser: template.base.Parser, token: template.base.Token
                    ) -> template.Node:
        params = {}
        for bit in token.split_contents()[1:]:
            name, sep, value = bit.partition("=")
            if not sep:
                raise template.TemplateSyntaxError(f"{tag_name} takes name=value, not {bit!r}")
            params[name] = parser.compile_filter(value)
        nodelist = parser.parse((f"end{tag_name}",))
        parser.delete_first_token()
        return node(nodelist, params)

    register.tag(tag_name, compile_tag)


def _component_around(tag_name: str, component: str) -> None:
    _block_tag(tag_name, lambda nodelist, params: _ComponentAroundNode(
        component, nodelist, params))


# ``{% warning_text id="x" %}…{% endwarning_text %}``: GOV.UK warning text around a body
# the page writes with its own variables and filters; the parameters are the component's.
_component_around("warning_text", "components/warning_text.html")
# ``{% notification_banner title_text="New referral joined" title_id="x" %}…
# {% endnotification_banner %}``: a notification banner whose content the page writes.
_component_around("notification_banner", "components/notification_banner.html")
# ``{% error_summary title_text="…" %}…{% enderror_summary %}``: an error summary for a
# problem that is not a form's (the audit log's check, for one).
_component_around("error_summary", "components/error_summary.html")


@dataclass
class TableCell:
    """One cell of ``components/table.html``: what to show and how."""

    content: Any
    format: str = ""
    classes: str = ""
    colspan: int | None = None
    rowspan: int | None = None
    # A body cell drawn as its row's header (th scope="row").
    header: bool = False
    # Further attributes of the cell (GOV.UK's macro calls them attributes), such as
    # aria-sort on a sortable column's header.
    attributes: dict[str, Any] | None = None


@dataclass
class TableRow:
    """One body row of ``components/table.html``."""

    cells: list[TableCell]
    id: str = ""


@register.simple_tag
def govuk_table_cell(cell: Any) -> TableCell:
    """A table cell as GOV.UK's table macro takes it (a dict with text or html, format,
    classes, colspan, rowspan, attributes; and header, to make a body cell a row header;
    aria-* and data-* keys are attributes too) or a plain
    value, which is the cell's text. Text is escaped when drawn; html is drawn as given
    only when it is already marked safe (the hub's own markup, from format_html, or a
    cell the page wrote in ``{% table_cell %}``), and escaped otherwise."""
    if not isinstance(cell, dict):
        return TableCell(content=cell)
    content = conditional_escape(cell["html"]) if "html" in cell else cell.get("text", "")
    attributes = {**(cell.get("attributes") or {}),
                  **{name: value for name, value in cell.items()
                     if name.startswith(("aria-", "data-"))}}
    return TableCell(content=content, format=str(cell.get("format", "")),
                     classes=str(cell.get("classes", "")), colspan=cell.get("colspan"),
                     rowspan=cell.get("rowspan"), header=bool(cell.get("header")),
                     attributes=attributes or None)


def _table_row(row: Any, first_cell_is_header: bool) -> TableRow:
    if isinstance(row, dict):
        cells, row_id = row.get("cells", []), str(row.get("id") or "")
    else:
        cells, row_id = row, ""
    drawn = [govuk_table_cell(cell) for cell in cells]
    if first_cell_is_header and drawn:
        drawn[0].header = True
    return TableRow(cells=drawn, id=row_id)


@register.simple_tag
def govuk_table_bodies(rows: Any, bodies: Any, first_cell_is_header: Any = False
                       ) -> list[list[TableRow]]:
    """The table's tbodies: ``bodies`` (each a list of rows) when given, or else one tbody
    of ``rows``. A row is a list of cells, or a dict with its ``cells`` and an ``id``."""
    groups = bodies if bodies else [rows or []]
    return [[_table_row(row, bool(first_cell_is_header)) for row in group] for group in groups]


@register.filter
def govuk_attributes(attributes: dict[str, Any] | None) -> SafeString:
    """``{{ attributes|govuk_attributes }}``: a component's further HTML attributes (the
    ``attributes`` parameter of GOV.UK's macros), escaped, each with a leading space."""
    return flatatt(attributes) if attributes else mark_safe("")


# --- The table, drawn ----------------------------------------------------------------
#
# Drawn in Python: a list page's table has a tag per cell, and drawing
# its few hundred cells through the template language cost more than the rest of the
# page. The markup is the GOV.UK table's, character for character as the template that
# held it wrote it (``ui/tests/test_table.py`` draws both and compares them).

_TABLE_PARAMETERS = ("rows", "bodies", "head", "caption", "caption_classes",
                     "first_cell_is_header", "classes", "id", "attributes")


def _spans(cell: TableCell, shown: Callable[[Any], str]) -> str:
    drawn = ""
    if cell.colspan:
        drawn += f' colspan="{shown(cell.colspan)}"'
    if cell.rowspan:
        drawn += f' rowspan="{shown(cell.rowspan)}"'
    return drawn + govuk_attributes(cell.attributes)


def draw_table(params: dict[str, Any], context: template.Context | None = None
               ) -> SafeString:
    """``components/table.html`` with these parameters (its comment says what each is):
    the table's markup, each value written as the template language writes ``{{ value }}``
    in ``context`` (escaped, localised)."""
    shown = partial(_shown, context=context if context is not None else template.Context())
    classes, table_id, caption = (params.get("classes"), params.get("id"),
                                  params.get("caption"))
    caption_classes, head = params.get("caption_classes"), params.get("head")
    parts = ['<table class="govuk-table', f" {shown(classes)}" if classes else "", '"',
             f' id="{shown(table_id)}"' if table_id else "",
             govuk_attributes(params.get("attributes")), ">\n  "]
    if caption:
        parts += ['<caption class="govuk-table__caption',
                  f" {shown(caption_classes)}" if caption_classes else "", '">',
                  shown(caption), "</caption>"]
    parts.append("\n  ")
    if head:
        parts.append('<thead class="govuk-table__head">\n    <tr class="govuk-table__row">'
                     "\n      ")
        for cell in head:
            c = govuk_table_cell(cell)
            parts += ['<th scope="col" class="govuk-table__header',
                      f" govuk-table__header--{shown(c.format)}" if c.format else "",
                      f" {shown(c.classes)}" if c.classes else "", '"', _spans(c, shown),
                      ">", shown(c.content), "</th>\n      "]
        parts.append("\n    </tr>\n  </thead>")
    parts.append("\n  ")
    for body in govuk_table_bodies(params.get("rows"), params.get("bodies"),
                                   params.get("first_cell_is_header")):
        parts.append('<tbody class="govuk-table__body">\n    ')
        for row in body:
            parts += ['<tr class="govuk-table__row"',
                      f' id="{shown(row.id)}"' if row.id else "", ">\n      "]
            for c in row.cells:
                if c.header:
                    parts += ['<th scope="row" class="govuk-table__header',
                              f" {shown(c.classes)}" if c.classes else ""]
                else:
                    parts += ['<td class="govuk-table__cell',
                              f" govuk-table__cell--{shown(c.format)}" if c.format else "",
                              f" {shown(c.classes)}" if c.classes else ""]
                parts += ['"', _spans(c, shown), ">", shown(c.content),
                          "</th>" if c.header else "</td>", "\n      "]
            parts.append("\n    </tr>\n    ")
        parts.append("\n  </tbody>")
    parts.append("\n</table>")
    # Every value above was escaped by shown() or govuk_attributes, or is fixed markup.
    return mark_safe("".join(parts))  # noqa: S308


@register.simple_tag(takes_context=True)
def govuk_table(context: template.Context) -> SafeString:
    """``components/table.html``'s body: the table of the parameters it was given."""
    return draw_table({name: context.get(name) for name in _TABLE_PARAMETERS}, context)


# --- Tables whose cells the page writes ----------------------------------------------
#
# ``{% table caption="Teams" caption_classes="govuk-visually-hidden" %}
#     {% table_head %}{% table_cell %}Team{% endtable_cell %}…{% endtable_head %}
#     {% for team in teams %}{% table_row %}
#       {% table_cell %}<a class="govuk-link" href="…">{{ team.name }}</a>{% endtable_cell %}
#     {% endtable_row %}{% endfor %}
#   {% endtable %}``
# draws components/table.html with the head and rows the page wrote: the page keeps its
# own loops, links and tags inside each cell, and the table's markup stays in the
# component. ``{% table_caption %}`` writes a caption that needs the page's own logic
# (with its caption_classes), ``{% table_body %}`` groups rows in a tbody of their own,
# and ``{% table_cell %}`` takes the cell parameters (format, classes, colspan, rowspan,
# header); ``{% table %}`` takes the component's (caption, caption_classes,
# first_cell_is_header, classes, id, attributes), and passes aria-* and data-*
# parameters on as the table's attributes.

_TABLE_BEING_WRITTEN = "_govuk_table_being_written"


@dataclass
class _TableBeingWritten:
    caption: str = ""
    caption_classes: str = ""
    head: list[dict[str, Any]] | None = None
    bodies: list[list[dict[str, Any]]] = field(default_factory=list)
    # Rows go into the tbody opened by {% table_body %}, or else into one implicit tbody.
    open_body: list[dict[str, Any]] | None = None
    implicit_body: list[dict[str, Any]] | None = None
    # The cells of the head or row being written.
    cells: list[dict[str, Any]] | None = None


def _table_being_written(context: template.Context, tag_name: str) -> _TableBeingWritten:
    table = context.get(_TABLE_BEING_WRITTEN)
    if not isinstance(table, _TableBeingWritten):
        raise template.TemplateSyntaxError(f"{{% {tag_name} %}} belongs inside {{% table %}}")
    return table


def _written(nodelist: template.NodeList, context: template.Context) -> SafeString:
    # The page's own template, already escaped as it rendered.
    return mark_safe(nodelist.render(context).strip())  # noqa: S308


class _TablePartNode(template.Node):
    """One of {% table %}, {% table_caption %}, {% table_head %}, {% table_body %},
    {% table_row %} and {% table_cell %}."""

    def __init__(self, tag_name: str, nodelist: template.NodeList,
                 params: dict[str, template.base.FilterExpression]) -> None:
        self.tag_name = tag_name
        self.nodelist = nodelist
        self.params = params

    def render(self, context: template.Context) -> str:
        params = {name: value.resolve(context) for name, value in self.params.items()}
        if self.tag_name == "table":
            return self._render_table(context, params)
        table = _table_being_written(context, self.tag_name)
        if self.tag_name == "table_cell":
            if table.cells is None:
                raise template.TemplateSyntaxError(
                    "{% table_cell %} belongs inside {% table_head %} or {% table_row %}")
            table.cells.append({**params, "html": _written(self.nodelist, context)})
        elif self.tag_name == "table_caption":
            table.caption = _written(self.nodelist, context)
            table.caption_classes = str(params.get("caption_classes") or "")
        elif self.tag_name == "table_body":
            table.open_body = []
            table.bodies.append(table.open_body)
            self._render_parts(context)
            table.open_body = None
        else:  # table_head, table_row
            table.cells = []
            self._render_parts(context)
            if self.tag_name == "table_head":
                table.head = table.cells
            else:
                self._body(table).append({**params, "cells": table.cells})
            table.cells = None
        return ""

    @staticmethod
    def _body(table: _TableBeingWritten) -> list[dict[str, Any]]:
        if table.open_body is not None:
            return table.open_body
        if table.implicit_body is None:
            table.implicit_body = []
            table.bodies.append(table.implicit_body)
        return table.implicit_body

    def _render_parts(self, context: template.Context) -> None:
        stray = self.nodelist.render(context).strip()
        if stray:
            raise template.TemplateSyntaxError(
                f"Inside {{% {self.tag_name} %}} write the table's parts with its tags, "
                f"not {stray[:60]!r}")

    def _render_table(self, context: template.Context, params: dict[str, Any]) -> str:
        table = _TableBeingWritten()
        with context.push({_TABLE_BEING_WRITTEN: table}):
            self._render_parts(context)
        if table.caption:
            params["caption"] = table.caption
        if table.caption_classes:
            params["caption_classes"] = table.caption_classes
        # aria-* and data-* parameters are attributes of the table itself.
        passed_on = {name: params.pop(name) for name in list(params)
                     if name.startswith(("aria-", "data-"))}
        if passed_on:
            params["attributes"] = {**(params.get("attributes") or {}), **passed_on}
        # An empty table still has its tbody, as components/table.html draws it.
        return draw_table({**params, "head": table.head, "bodies": table.bodies}) + "\n"


def _table_part(tag_name: str) -> None:
    _block_tag(tag_name, lambda nodelist, params: _TablePartNode(tag_name, nodelist, params))


for _tag_name in ("table", "table_caption", "table_head", "table_body", "table_row",
                  "table_cell"):
    _table_part(_tag_name)
