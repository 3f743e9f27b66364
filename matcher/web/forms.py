"""Forms: a city's declared profile (POST), and the partner, call and consortium filters (GET).

The profile form has one optional weight (0 to 1) per theme and profile kind. Its fields are
built from the theme vocabulary, so only known theme ids can be saved; a posted weight for any
other theme is reported rather than ignored, because it means the page was stale or tampered
with.

The filter forms read the query string (``wtforms.Form``, no CSRF token: they change nothing),
so a search is a link that can be bookmarked and works without JavaScript. Their field names are
the JSON API's parameter names. On invalid input the page comes back with every message next to
its field and the person's input kept as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from matcher.domain import (
    COUNTRY_SETS,
    DECLARED_PROVENANCE,
    SIZE_BANDS,
    City,
    ProfileKind,
    Theme,
    normalise_country,
)
from matcher.services.partners import PartnerQuery
from matcher.web.labels import KIND_LABELS

KINDS: tuple[str, ...] = tuple(kind.value for kind in ProfileKind)


def weight_field_name(kind: str, theme_id: str) -> str:
    """The form field holding ``theme_id``'s weight in the ``kind`` profile."""
    return f"{kind}-{theme_id}"


WEIGHT_MESSAGE = "must be a number from 0 to 1, such as 0.5"


class WeightField(FloatField):
    """A weight from 0 to 1; accepts a decimal comma ("0,5"), as many Europeans write it."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip().replace(",", "."))
        except ValueError as exc:
            self.data = None
            raise ValueError(WEIGHT_MESSAGE) from exc


def _stop_if_unreadable(_form, field) -> None:
    """Report an unreadable number once, instead of again as out of range."""
    if field.process_errors:
        raise StopValidation()


class ProfileFormBase(FlaskForm):
    """Fields shared by every vocabulary; weight fields are added by :func:`profile_form`."""

    theme_ids: tuple[str, ...] = ()

    def weights(self) -> dict[str, dict[str, float]]:
        """Kind -> theme id -> weight, for every field that was filled in (blank = no claim)."""
        out: dict[str, dict[str, float]] = {kind: {} for kind in KINDS}
        for kind in KINDS:
            for theme_id in self.theme_ids:
                value = self[weight_field_name(kind, theme_id)].data
                if value is not None:
                    out[kind][theme_id] = float(value)
        return out

    def error_summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) of every problem, in page order, for the summary box."""
        summary: list[tuple[str | None, str]] = [(None, message) for message in self.form_errors]
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            summary += [(None, message) for message in csrf_field.errors]
        for kind in KINDS:
            for theme_id in self.theme_ids:
                field = self[weight_field_name(kind, theme_id)]
                summary += [(field.id, f"{field.label.text}: {m}") for m in field.errors]
        return summary


def profile_form(themes: Iterable[Theme]) -> type[ProfileFormBase]:
    """A form class with a weight field per (kind, theme) of the given vocabulary."""
    themes = list(themes)
    attributes: dict[str, object] = {"theme_ids": tuple(theme.id for theme in themes)}
    for kind in KINDS:
        for theme in themes:
            attributes[weight_field_name(kind, theme.id)] = WeightField(
                f"{KIND_LABELS[kind]} {theme.label}",
                validators=[
                    Optional(),
                    _stop_if_unreadable,
                    NumberRange(0.0, 1.0, message=WEIGHT_MESSAGE),
                ],
                widget=TextInput(),
                # Text, not type=number: browsers blank an unparsable number on re-display,
                # and the person must see what they typed next to the error.
                render_kw={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"},
            )
    return type("ProfileForm", (ProfileFormBase,), attributes)


def declared_weights(city: City) -> dict[str, float]:
    """Form data (field name -> weight) of the weights the city declared itself."""
    return {
        weight_field_name(entry.kind.value, entry.theme_id): entry.weight
        for entry in city.profile
        if entry.provenance == DECLARED_PROVENANCE
    }


def unknown_theme_fields(posted: Mapping[str, str], theme_ids: Iterable[str]) -> list[str]:
    """Posted weight fields that name a theme outside the vocabulary."""
    known = {weight_field_name(kind, theme_id) for kind in KINDS for theme_id in theme_ids}
    prefixes = tuple(f"{kind}-" for kind in KINDS)
    return sorted(name for name in posted if name.startswith(prefixes) and name not in known)


# --------------------------------------------------------------------------- filter forms


def _choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


#: The named country sets offered in the partner filter, with what they mean.
COUNTRY_SET_CHOICES: tuple[tuple[str, str], ...] = (
    ("EU27", "EU member states (EU27)"),
    ("EEA", "European Economic Area (EU27, Iceland, Liechtenstein, Norway)"),
    ("HORIZON", "Horizon Europe: EU and associated countries"),
)
GEOGRAPHY_LABELS: dict[str, str] = {
    "any": "No preference",
    "near": "Near",
    "far": "Far away",
    "different-country": "In another country",
    "cross-border": "Across a border, close by (Interreg)",
}
PURPOSE_LABELS: dict[str, str] = {
    "any": "Any partnership",
    "cross-border": "Cross-border (Interreg A)",
    "transnational": "Transnational network (URBACT, Interreg B/C)",
    "research": "Research and innovation (Horizon Europe)",
    "peer-exchange": "Peer exchange (twinning, similar cities)",
}
CALL_STATUS_LABELS: dict[str, str] = {
    "open": "Open now",
    "forthcoming": "Forthcoming",
    "all": "Open or forthcoming",
}
NUMBER_MESSAGE = "must be a number, such as 250"


class DecimalTextField(FloatField):
    """A number typed as text; accepts a decimal comma ("12,5") and spaces between thousands."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = "".join(valuelist[0].split()).replace(",", ".")
        try:
            self.data = float(text)
        except ValueError as exc:
            self.data = None
            raise ValueError(NUMBER_MESSAGE) from exc


class AmountField(DecimalTextField):
    """An amount of money in euro: commas and spaces separate thousands ("1,000,000")."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            valuelist = [valuelist[0].replace(",", "").replace("_", "")]
        super().process_formdata(valuelist)


class WholeNumberField(IntegerField):
    """An integer typed as text, reported in words when it is not one."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError("must be a whole number, such as 10") from exc


class CountryListField(StringField):
    """Country codes separated by commas or spaces ("DE, NL"), optionally named sets too.

    ``data`` keeps the text as typed (so it is shown again); :attr:`codes` holds the codes.
    """

    def __init__(self, *args, allow_sets: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_sets = allow_sets
        self.codes: tuple[str, ...] = ()

    def pre_validate(self, form) -> None:
        items = [item for item in (self.data or "").replace(",", " ").split() if item]
        codes, unknown = [], []
        for item in items:
            if self.allow_sets and item.upper() in COUNTRY_SETS:
                codes.append(item.upper())
                continue
            try:
                codes.append(normalise_country(item))
            except ValueError:
                unknown.append(item)
        if unknown:
            self.codes = ()
            raise ValidationError(
                f"not a country code we know: {', '.join(unknown)} (use codes such as DE, NL)"
            )
        self.codes = tuple(dict.fromkeys(codes))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (a fieldset in the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _stop_if_unparsed(_form, field) -> None:
    """Report an unreadable value once, instead of again by a later validator."""
    if field.process_errors:
        raise StopValidation()


class FilterForm(Form):
    """Base of the query-string forms: errors as a summary in page order."""

    def error_summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) of every problem in page order, for the summary box."""
        summary: list[tuple[str | None, str]] = [(None, message) for message in self.form_errors]
        for field in self:
            for message in field.errors:
                summary.append((field.id, f"{field.label.text}: {message}"))
        return summary


class PartnerFilterForm(FilterForm):
    """Filters of the partner search; see :class:`matcher.services.partners.PartnerQuery`."""

    theme = SelectMultipleField(
        "Theme focus",
        choices=[],
        render_kw={"size": 8},
        description="Hold Ctrl (or Cmd) to choose several. Leave empty for the city's profile.",
    )
    country_sets = CheckboxesField("Only countries in", choices=_choices(COUNTRY_SET_CHOICES))
    countries = CountryListField(
        "Only these countries",
        validators=[Optional(), Length(max=200)],
        description="Country codes, e.g. DE, NL",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    exclude_countries = CountryListField(
        "Leave out these countries",
        validators=[Optional(), Length(max=200)],
        description="Country codes, e.g. FR",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    size_bands = CheckboxesField(
        "Size (none ticked: 20,000-500,000)",
        choices=_choices((band, label) for band, label, _low, _high in SIZE_BANDS),
    )
    max_distance_km = DecimalTextField(
        "Maximum distance (km)",
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=1, max=20_000, message="must be between 1 and 20,000 km"),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    geography = RadioField("Where", choices=_choices(GEOGRAPHY_LABELS.items()), default="any")
    purpose = RadioField("What for", choices=_choices(PURPOSE_LABELS.items()), default="any")
    top = WholeNumberField(
        "How many partners",
        default=10,
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=1, max=100, message="must be between 1 and 100"),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def __init__(self, formdata=None, *, themes: Sequence[Theme] = (), **kwargs):
        super().__init__(formdata, **kwargs)
        self.theme.choices = _choices((theme.id, theme.label) for theme in themes)

    def partner_query(self) -> PartnerQuery:
        """The service query for the (validated) form."""
        return PartnerQuery(
            top=self.top.data or 10,
            theme_focus=tuple(self.theme.data or ()),
            geography=self.geography.data or "any",
            countries=self.countries.codes,
            exclude_countries=self.exclude_countries.codes,
            country_sets=tuple(self.country_sets.data or ()),
            size_bands=tuple(self.size_bands.data or ()),
            max_distance_km=self.max_distance_km.data,
            purpose=self.purpose.data or "any",
        )


class CallFilterForm(FilterForm):
    """Filters of the calls for a city; see :class:`matcher.services.calls.CallFilters`."""

    status = RadioField("Status", choices=_choices(CALL_STATUS_LABELS.items()), default="all")
    programme = SelectField("Programme", choices=[], default="")
    deadline_within_days = WholeNumberField(
        "Deadline within (days)",
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=0, max=3650, message="must be between 0 and 3,650 days"),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    min_budget = AmountField(
        "Minimum budget (EUR)",
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=0, message="must be zero or more"),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    limit = WholeNumberField(
        "Calls per group",
        default=10,
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=1, max=200, message="must be between 1 and 200"),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def __init__(self, formdata=None, *, programmes: Sequence[str] = (), **kwargs):
        super().__init__(formdata, **kwargs)
        self.programme.choices = _choices([("", "All programmes"), *((p, p) for p in programmes)])


class ConsortiumForm(FilterForm):
    """Lead city, size and partner countries of a consortium proposal."""

    lead = StringField(
        "Lead city",
        validators=[InputRequired(message="enter the lead city"), Length(max=100)],
        description="A city name or its identifier, e.g. nl-emmen",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    size = WholeNumberField(
        "Members, lead included",
        validators=[
            Optional(),
            _stop_if_unparsed,
            NumberRange(min=1, max=20, message="must be between 1 and 20"),
        ],
        description="Leave empty for the smallest consortium the call allows.",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    countries = CountryListField(
        "Partner countries",
        allow_sets=True,
        validators=[Optional(), Length(max=200)],
        description="Optional: country codes or EU27, EEA, HORIZON",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
