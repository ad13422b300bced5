"""What every form page does with a service's refusal."""

from django.core.exceptions import ValidationError


def apply_service_error(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form). A
    service raises either kind: keyed by field, or plain messages (e.g. a row deleted meanwhile)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)
