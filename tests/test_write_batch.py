"""Write batches: many polls in one transaction, one by one when that fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from broadsheet.errors import StorageError
from broadsheet.update.write_batch import WriteBatch


class _Store:
    """A fake store: refuses any write that holds a negative item, as a database refuses
    a whole transaction for one bad row."""

    def __init__(self) -> None:
        self.transactions: list[list[int]] = []

    def prepare(self, items: Sequence[int]) -> list[int]:
        return [item * 10 for item in items]

    def write(self, prepared: Sequence[int]) -> list[int]:
        if any(p < 0 for p in prepared):
            raise StorageError("store: refused")
        self.transactions.append(list(prepared))
        return [p + 1 for p in prepared]


async def _submit_all(batch: WriteBatch[int, int], items: list[int]) -> list[object]:
    try:
        return await asyncio.gather(*(batch.submit(i) for i in items), return_exceptions=True)
    finally:
        await batch.close()


def test_items_queued_together_are_written_in_one_transaction() -> None:
    store = _Store()
    answers = asyncio.run(_submit_all(WriteBatch(store.prepare, store.write), [1, 2, 3]))
    assert answers == [11, 21, 31] and store.transactions == [[10, 20, 30]]


def test_a_batch_holds_at_most_its_limit() -> None:
    store = _Store()
    asyncio.run(_submit_all(WriteBatch(store.prepare, store.write, most=2), [1, 2, 3, 4, 5]))
    assert sorted(len(t) for t in store.transactions) == [1, 2, 2]


def test_one_bad_item_fails_alone() -> None:
    store = _Store()
    answers = asyncio.run(_submit_all(WriteBatch(store.prepare, store.write), [1, -2, 3]))
    assert answers[0] == 11 and answers[2] == 31
    assert isinstance(answers[1], StorageError)
    assert store.transactions == [[10], [30]]


def test_a_bug_reaches_every_waiting_caller() -> None:
    def broken(items: Sequence[int]) -> list[int]:
        raise ZeroDivisionError

    answers = asyncio.run(_submit_all(WriteBatch(broken, _Store().write), [1, 2]))
    assert all(isinstance(a, ZeroDivisionError) for a in answers)
