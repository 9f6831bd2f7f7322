"""The comment form, used by the pages and (through app/api) by the JSON API."""

from __future__ import annotations

from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.comments.services import MAX_LENGTH, MAX_MENTIONS
from app.core.forms import Form, record_id


def _few(form: Form, field: SelectMultipleField) -> None:
    if len(field.data or []) > MAX_MENTIONS:
        raise ValidationError(f"Mention at most {MAX_MENTIONS} people in one comment.")


class CommentForm(Form):
    # Plain text: shown escaped, line breaks kept; links become links, nothing else is markup.
    body = TextAreaField("Comment", validators=[DataRequired(message="Write something first."),
                                                Length(max=MAX_LENGTH)])
    # The people picked from the @ suggestions: kept while their "@Name" is in the text and they may see the record.
    mention_ids = SelectMultipleField("Mentions", coerce=record_id, validate_choice=False, validators=[_few])
