"""The command handlers, grouped by feature: browsing, picks, feedback, admin.

A handler is a method marked `@handles("name")`, where `name` is a registry command
(data/commands.toml); `Service` dispatches to it after the registry's own rules (owners only,
a missing argument, the cooldown) have been applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.commands import Command
from bot.core.models import Reply, Request

if TYPE_CHECKING:
    from bot.core.service import Service

Handler = Callable[[Request, Command, str], Awaitable[Reply]]
F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__ostbot_command__"


def handles(name: str) -> Callable[[F], F]:
    """Mark a feature method as the handler of the registry command `name`."""

    def mark(method: F) -> F:
        setattr(method, _MARK, name)
        return method

    return mark


class Feature:
    """A group of handlers sharing the service's state (catalog index, users, store)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {}
        for attr in dir(type(self)):
            name = getattr(getattr(type(self), attr), _MARK, None)
            if isinstance(name, str):
                found[name] = getattr(self, attr)
        return found
