"""Near duplicates: wire copies and reprints found with MinHash and LSH.

A text becomes the set of its 3-word shingles (over ``fingerprint.words``); 128
MinHash values summarise that set so that the share of equal values estimates the
Jaccard similarity of two texts. LSH banding (64 bands of 2 values) finds the
few earlier texts worth comparing without looking at all of them; a candidate is
a duplicate when the estimated Jaccard similarity reaches ``threshold``, or when
one text is mostly contained in the other (a reprint with its tail cut). Articles
about the same event written by other outlets share only names and a few quotes,
which is far below both bars.

Templated news (results, weather, a bridge reopening told with the same
sentences in another town) can pass the text test while being another event, so
a copy must also share most of its key tokens: numbers and capitalised words
inside sentences, kept as a bottom-k sketch beside the MinHash values.

Signatures are plain bytes (``MinHashSignature.to_bytes``) so that storage can
keep them and rebuild an index without the texts.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from broadsheet.stories.fingerprint import words

__all__ = [
    "MinHashSignature",
    "NearDuplicateIndex",
    "estimate_jaccard",
    "is_near_duplicate",
    "minhash_signature",
]

NUM_PERM = 128
SHINGLE_WORDS = 3
BANDS, ROWS = 64, 2
MIN_CONTAINMENT_SHINGLES = 20
"""A text must have this many shingles before "mostly contained" can count."""
MIN_JACCARD = 0.2
"""Below this estimated Jaccard similarity nothing is a copy, however contained."""
MAX_BUCKET = 24
"""Rows kept per LSH bucket, newest last (memory stays bounded)."""
CROWDED_BUCKET = 12
"""A bucket this full holds a phrase many texts share (a template, boilerplate) and
finds no copies: it is skipped, which bounds the cost per article. A copy still
shares the buckets of its own names, numbers and sentences."""
KEY_SKETCH = 64
KEY_CONTAINMENT = 0.6
"""Share of the smaller text's key tokens (names, numbers) the other must have."""
MIN_KEYS = 3
"""Texts with fewer key tokens than this are judged on their words alone."""

_KEY_TOKEN = re.compile(
    r"\d[\d.,]*\d|\d|(?<=[\w,;] )[A-Z\u00C0-\u00DE\u0391-\u03A9\u0410-\u042F][\w'’-]*"
)

_rng = np.random.default_rng(0x5EED_B0AD)  # fixed: signatures must be stable across runs
# Permutations are 32-bit multiply-add maps of pre-mixed shingle hashes: as good an
# estimator as 64-bit ones here (checked against exact Jaccard) at a tenth the cost.
_PERM_A = _rng.integers(0, 2**31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_PERM_B = _rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32)
_SHINGLE_K = _rng.integers(1, 2**63, SHINGLE_WORDS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


@dataclass(frozen=True, eq=False)
class MinHashSignature:
    """MinHash values of one text's shingle set, with the size of that set."""

    values: np.ndarray
    """``NUM_PERM`` uint32 values."""
    size: int
    """Number of distinct shingles; zero for a text without words."""
    keys: tuple[int, ...] = ()
    """The smallest ``KEY_SKETCH`` hashes of the text's key tokens, sorted."""
    key_count: int = 0
    """Number of distinct key tokens."""

    def to_bytes(self) -> bytes:
        """Serialise (little-endian): size, key count, sketch length, values, sketch."""
        header = np.array([self.size, self.key_count, len(self.keys)], dtype="<u4").tobytes()
        keys = np.array(self.keys, dtype="<u4").tobytes()
        return header + self.values.astype("<u4").tobytes() + keys

    @classmethod
    def from_bytes(cls, data: bytes) -> MinHashSignature:
        """Read a signature written by ``to_bytes``; ValueError if malformed."""
        if len(data) < 12 or len(data) % 4:
            raise ValueError(f"stories: MinHash signature has {len(data)} bytes")
        size, key_count, sketch = np.frombuffer(data[:12], dtype="<u4").tolist()
        if len(data) != 12 + 4 * (NUM_PERM + sketch):
            raise ValueError(f"stories: MinHash signature has {len(data)} bytes")
        values = np.frombuffer(data, dtype="<u4", count=NUM_PERM, offset=12).astype(np.uint32)
        keys = np.frombuffer(data, dtype="<u4", offset=12 + 4 * NUM_PERM).tolist()
        return cls(values=values, size=size, keys=tuple(keys), key_count=key_count)


def minhash_signature(text: str) -> MinHashSignature:
    """Compute the MinHash signature of ``text``'s 3-word shingles."""
    tokens = words(text)
    if not tokens:
        return MinHashSignature(np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32), 0)
    keys = {key.casefold() for key in _KEY_TOKEN.findall(text)}
    key_hashes = sorted(_WORD_HASHES[key] & 0xFFFFFFFF for key in keys)
    # Array arithmetic below wraps modulo 2**64 (or 2**32) on purpose, silently.
    ids = np.fromiter(map(_WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    if len(ids) >= SHINGLE_WORDS:
        n = len(ids) - SHINGLE_WORDS + 1
        shingles = ids[:n] * _SHINGLE_K[0]
        for i in range(1, SHINGLE_WORDS):
            shingles += ids[i : i + n] * _SHINGLE_K[i]
    else:
        shingles = (ids * _SHINGLE_K[: len(ids)]).sum(keepdims=True)
    shingles = np.unique((_mix64(shingles) >> np.uint64(32)).astype(np.uint32))
    values = (shingles[:, None] * _PERM_A[None, :] + _PERM_B[None, :]).min(axis=0)
    return MinHashSignature(
        values=values,
        size=int(len(shingles)),
        keys=tuple(key_hashes[:KEY_SKETCH]),
        key_count=len(key_hashes),
    )


def estimate_jaccard(a: MinHashSignature, b: MinHashSignature) -> float:
    """Estimate the Jaccard similarity of the two texts' shingle sets."""
    if a.size == 0 or b.size == 0:
        return 0.0
    return float(np.count_nonzero(a.values == b.values)) / NUM_PERM


def is_near_duplicate(
    a: MinHashSignature, b: MinHashSignature, threshold: float = 0.5, containment: float = 0.5
) -> bool:
    """Tell whether two signatures belong to copies of one text (symmetric)."""
    return _is_duplicate(estimate_jaccard(a, b), a, b, threshold, containment)


def _is_duplicate(
    jaccard: float, a: MinHashSignature, b: MinHashSignature, threshold: float, containment: float
) -> bool:
    if jaccard < threshold:
        smaller = min(a.size, b.size)
        if smaller < MIN_CONTAINMENT_SHINGLES or jaccard < MIN_JACCARD:
            return False
        if _containment(jaccard, a.size, b.size) < containment:
            return False
    return _keys_agree(a, b)


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard similarity and both sizes."""
    shared = jaccard / (1.0 + jaccard) * (size_a + size_b)
    return shared / max(min(size_a, size_b), 1)


def _keys_agree(a: MinHashSignature, b: MinHashSignature) -> bool:
    if min(a.key_count, b.key_count) < MIN_KEYS:
        return True
    union = sorted(set(a.keys) | set(b.keys))[:KEY_SKETCH]
    sketch_a, sketch_b = set(a.keys), set(b.keys)
    shared = sum(1 for key in union if key in sketch_a and key in sketch_b)
    return _containment(shared / len(union), a.key_count, b.key_count) >= KEY_CONTAINMENT


class NearDuplicateIndex:
    """An in-memory LSH index of signatures answering "is this a copy of one I have?"."""

    def __init__(self, threshold: float = 0.5, containment: float = 0.5) -> None:
        self.threshold = threshold
        self.containment = containment
        self._ids: list[str | None] = []
        self._sigs = np.zeros((64, NUM_PERM), dtype=np.uint32)
        self._sizes: list[int] = []
        self._keys: list[tuple[tuple[int, ...], int]] = []
        self._row_of: dict[str, int] = {}
        self._free: list[int] = []
        self._seq: list[int] = []
        self._next_seq = 0
        self._bands: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row_of

    def add(self, article_id: str, text: str) -> str | None:
        """Index ``text`` and return the id of an earlier article it copies, if any."""
        return self.add_signature(article_id, minhash_signature(text))

    def add_signature(self, article_id: str, signature: MinHashSignature) -> str | None:
        """Like ``add`` with a signature computed (or stored) beforehand."""
        if article_id in self._row_of:
            self.remove(article_id)
        match = self.query(signature)
        if signature.size:
            self._insert(article_id, signature)
        return match

    def query(self, signature: MinHashSignature) -> str | None:
        """Return the id of the indexed article closest to ``signature`` if it is a copy."""
        if not signature.size or not self._row_of:
            return None
        counts: Counter[int] = Counter()
        for band, key in zip(self._bands, _band_keys(signature.values), strict=True):
            rows = band.get(key)
            if rows and len(rows) < CROWDED_BUCKET:
                counts.update(rows)
        # One shared band is what a common phrase or boilerplate gives; copies share many.
        rows = sorted(row for row, seen in counts.items() if seen >= 2)
        if not rows:
            return None
        jaccards = np.count_nonzero(self._sigs[rows] == signature.values, axis=1) / NUM_PERM
        best: tuple[float, int, int] | None = None
        for position in np.flatnonzero(jaccards >= MIN_JACCARD).tolist():
            row, jaccard = rows[position], float(jaccards[position])
            other = self._signature_at(row)
            if _is_duplicate(jaccard, signature, other, self.threshold, self.containment):
                rank = (-jaccard, self._seq[row], row)
                best = rank if best is None or rank < best else best
        return None if best is None else self._ids[best[2]]

    def remove(self, article_id: str) -> None:
        """Forget an article; unknown ids are ignored."""
        row = self._row_of.pop(article_id, None)
        if row is None:
            return
        for band, key in zip(self._bands, _band_keys(self._sigs[row]), strict=True):
            rows = band.get(key)
            if rows and row in rows:  # it may have been pushed out of a crowded bucket
                rows.remove(row)
                if not rows:
                    del band[key]
        self._ids[row] = None
        self._free.append(row)

    def signature(self, article_id: str) -> MinHashSignature:
        """Return the stored signature of an indexed article (KeyError if unknown)."""
        return self._signature_at(self._row_of[article_id])

    def _signature_at(self, row: int) -> MinHashSignature:
        keys, key_count = self._keys[row]
        return MinHashSignature(self._sigs[row].copy(), self._sizes[row], keys, key_count)

    def _insert(self, article_id: str, signature: MinHashSignature) -> None:
        if self._free:
            row = self._free.pop()
            self._ids[row], self._sizes[row] = article_id, signature.size
            self._seq[row] = self._next_seq
            self._keys[row] = (signature.keys, signature.key_count)
        else:
            row = len(self._ids)
            if row == len(self._sigs):
                self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
            self._ids.append(article_id)
            self._sizes.append(signature.size)
            self._keys.append((signature.keys, signature.key_count))
            self._seq.append(self._next_seq)
        self._next_seq += 1
        self._sigs[row] = signature.values
        self._row_of[article_id] = row
        for band, key in zip(self._bands, _band_keys(signature.values), strict=True):
            rows = band.setdefault(key, [])
            rows.append(row)
            if len(rows) > MAX_BUCKET:
                del rows[0]


def _band_keys(values: np.ndarray) -> list[bytes]:
    raw = values.astype("<u4").tobytes()
    step = 4 * ROWS
    return [raw[i : i + step] for i in range(0, BANDS * step, step)]


class _WordHashes(dict[str, int]):
    """A cache of stable 64-bit word hashes: lookups stay in C for words seen before."""

    def __missing__(self, word: str) -> int:
        if len(self) > 2_000_000:  # bound memory on endless vocabularies
            self.clear()
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        value = self[word] = int.from_bytes(digest, "little")
        return value


_WORD_HASHES = _WordHashes()


def _mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: spreads every input bit over the whole word."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
