"""Cartable benchmarks: `python -m bench.run` prints one JSON line per figure."""
