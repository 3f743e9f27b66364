"""The form a city uses to declare its own interests, needs and offers.

The form has one optional weight (0 to 1) per theme and profile kind. Its fields are built from
the theme vocabulary, so only known theme ids can be saved; a posted weight for any other theme
is reported rather than ignored, because it means the page was stale or tampered with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from wtforms import FloatField, PasswordField
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation
from wtforms.widgets import TextInput

from matcher.domain import DECLARED_PROVENANCE, City, ProfileKind, Theme
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

    token = PasswordField(
        "Editor token",
        validators=[InputRequired(message="Enter the editor token you were given.")],
        description="Changes need an editor token (the same as an API token).",
    )

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
        summary += [(self.token.id, message) for message in self.token.errors]
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
