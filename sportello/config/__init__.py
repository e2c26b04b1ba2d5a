"""Configuration shared by every process: the registry of `SPORTELLO_*` variables,
the rules that resolve them, and the production checks. Standard library only."""

from sportello.config.production import ConfigurationError, check, is_production, problems
from sportello.config.registry import VARIABLES, Variable, default, read_by, variable
from sportello.config.resolve import computed_default, secret, service_environment, var_dir

__all__ = [
    "VARIABLES",
    "ConfigurationError",
    "Variable",
    "check",
    "computed_default",
    "default",
    "is_production",
    "problems",
    "read_by",
    "secret",
    "service_environment",
    "var_dir",
    "variable",
]
