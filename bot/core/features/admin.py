"""Administration: reloading the catalog (the registry keeps it to OSTBOT_OWNERS)."""

from __future__ import annotations

from bot.core.catalog import CatalogError
from bot.core.commands import Command
from bot.core.features import Feature, handles
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind, Request


class Admin(Feature):
    @handles("reload")
    async def reload(self, req: Request, cmd: Command, locale: str) -> Reply:
        service = self.service
        try:
            await service.store.sync_catalog(service.data_dir, force=True)
        except CatalogError as exc:
            errors = "\n".join(str(p) for p in exc.problems[:10])
            return Reply(t("reload_failed", locale, errors=errors), locale, ReplyKind.INFO)
        await service.reload()
        index = service.index
        text = t("reloaded", locale, dramas=len(index.dramas), tracks=len(index.tracks))
        return Reply(text, locale, ReplyKind.INFO)
