"""Quality evaluations and speed benchmarks for newsbot (not part of the installed package)."""
