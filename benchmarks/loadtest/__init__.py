"""The parts of the load test; benchmarks/load.py is the script that sets Django up, then imports and runs them."""
