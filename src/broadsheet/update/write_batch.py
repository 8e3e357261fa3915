"""Grouping many sources' polls into few write transactions.

Polls finish one by one as their fetches come back; writing each in its own transaction
would make the database the bottleneck. A ``WriteBatch`` queues them, and a writer task
takes whatever has queued up (up to BATCH_MAX), prepares it (reads what storage knows,
decides) and writes it in a thread, in one transaction, while fetching and parsing go
on. When a batch's write fails, its polls are written one by one, so one bad source
fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from broadsheet.errors import StorageError

log = logging.getLogger("broadsheet.update")

BATCH_MAX = 256
"""Most sources written in one transaction."""

Item = TypeVar("Item")
Prepared = TypeVar("Prepared")


class WriteBatch(Generic[Item, Prepared]):
    """Collects items to write and writes them in batches, each in one transaction.

    ``prepare`` turns a batch of items into what ``write`` stores, one for each item, in
    order; ``write`` stores a list of those in one transaction and returns a count for
    each (new articles). Both run in a thread. Bugs reach every waiting caller.
    """

    def __init__(self, prepare: Callable[[Sequence[Item]], list[Prepared]],
                 write: Callable[[Sequence[Prepared]], list[int]], most: int = BATCH_MAX):
        self.prepare = prepare
        self.write = write
        self.most = most
        self.queue: asyncio.Queue[tuple[Item, asyncio.Future[int]]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> int:
        """Queue an item; its count once its batch is stored."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((item, future))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        return await future

    async def close(self) -> None:
        """Stop the writer task (every submitted item has been answered by then)."""
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _run(self) -> None:
        while True:
            waiting = [await self.queue.get()]
            while len(waiting) < self.most and not self.queue.empty():
                waiting.append(self.queue.get_nowait())
            try:
                results = await asyncio.to_thread(self._store, [item for item, _f in waiting])
            except Exception as error:  # every waiting caller hears of it; bugs re-raise there
                results = [error] * len(waiting)
            for (_item, future), outcome in zip(waiting, results, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _store(self, items: Sequence[Item]) -> list[int | Exception]:
        prepared = self.prepare(items)
        try:
            return list(self.write(prepared))
        except StorageError:
            log.warning("batch write failed; writing sources one by one",
                        extra={"count": len(prepared)})
        outcomes: list[int | Exception] = []
        for one in prepared:
            try:
                outcomes.extend(self.write([one]))
            except StorageError as error:
                outcomes.append(error)
        return outcomes
