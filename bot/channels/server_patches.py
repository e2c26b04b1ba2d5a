"""Fixes to Rasa 3.6 itself, applied once when the Rasa server builds its channels.

Validating the action server's reply with `jsonschema.validate` re-checks the whole
events schema against its metaschema on every call: measured under load, that was
half of the Rasa server's CPU time per turn (docs/benchmarks.md). The reply is still
validated against the same schema, with a validator built once.

The patch replaces a private method, so it is applied only on the Rasa version it was
written and tested for: on any other, the server refuses to start and says so, rather
than silently running a validator that may no longer match what Rasa expects.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.version import __version__ as RASA_VERSION

PATCHED_FOR = "3.6.21"
_applied = False


class UnsupportedRasaVersion(RuntimeError):
    pass


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


def apply(installed: str = RASA_VERSION) -> None:
    """Idempotent: every channel calls it, the first call patches."""
    global _applied
    if _applied:
        return
    if installed != PATCHED_FOR or not callable(getattr(RemoteAction, "_validate_action_result", None)):
        raise UnsupportedRasaVersion(
            f"bot/channels/server_patches.py è scritto per Rasa {PATCHED_FOR}, ma è installato Rasa {installed}: "
            "verifica che RemoteAction._validate_action_result sia invariato, poi aggiorna PATCHED_FOR."
        )
    RemoteAction._validate_action_result = _validate_action_result
    _applied = True
