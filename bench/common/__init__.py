"""What the benchmarks (and some tests) share: the labelled story corpus and the feed farm.

Import them as ``bench.common.corpus`` and ``bench.common.farm`` with the repository root
on ``sys.path`` (pytest run from the root has it; the bench scripts insert it).
"""
