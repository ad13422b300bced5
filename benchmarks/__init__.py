"""Benchmarks run on demand (see the README's Benchmarks section). A package so that the load
test's tests can import `benchmarks.load`; each script still runs as `python benchmarks/<name>.py`."""
