"""Errors the services raise; the CLI and the window show their message as it is."""

from __future__ import annotations


class ServiceError(Exception):
    """Base: ``str(error)`` is a Vietnamese sentence for the user."""


class InputRefused(ServiceError):
    """The user's input cannot be accepted; nothing was written."""


class NotFound(InputRefused):
    """A year, agency or criterion that does not exist."""
