"""Fixes to Rasa 3.6 itself, applied once when the Rasa server builds its channels.

Validating the action server's reply with `jsonschema.validate` re-checks the whole
events schema against its metaschema on every call: measured under load, that was
half of the Rasa server's CPU time per turn (docs/benchmarks.md). The reply is still
validated against the same schema, with a validator built once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_applied = False


@lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def apply() -> None:
    """Idempotent: every channel calls it, the first call patches."""
    global _applied
    if not _applied:
        RemoteAction._validate_action_result = _validate_action_result
        _applied = True
