"""Benchmarks, run on demand; ``bench.common`` holds what they and the tests share."""
