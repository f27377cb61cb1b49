"""Benchmarks of hyperengine against other Bayesian optimizers (issue 6): latency and quality.

Run everything with `python -m benchmarks.run` (or `--quick`); see docs/benchmarks.md. Not part of the tests.
"""
