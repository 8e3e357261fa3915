"""stories stage: one address per article, duplicates found, articles grouped into stories.

Pure algorithms, no storage:

- ``canonical_url``: ``canonicalize_url``, ``amp_canonical`` (one spelling per address);
- ``fingerprint``: ``text_fingerprint`` (exact duplicates after normalisation);
- ``near_duplicates``: ``NearDuplicateIndex`` (MinHash + LSH: wire copies, reprints);
- ``cluster``: ``StoryClusterer``, ``cluster_articles`` (online TF-IDF story grouping);
- ``related``: ``related_articles`` (same story from other outlets, then the nearest).
"""

from broadsheet.stories.canonical_url import amp_canonical, canonicalize_url
from broadsheet.stories.cluster import ClusterInput, StoryClusterer, cluster_articles
from broadsheet.stories.fingerprint import normalize_text, text_fingerprint
from broadsheet.stories.near_duplicates import MinHashSignature, NearDuplicateIndex
from broadsheet.stories.related import RelatedCandidate, related_articles

__all__ = [
    "ClusterInput",
    "MinHashSignature",
    "NearDuplicateIndex",
    "RelatedCandidate",
    "StoryClusterer",
    "amp_canonical",
    "canonicalize_url",
    "cluster_articles",
    "normalize_text",
    "related_articles",
    "text_fingerprint",
]
