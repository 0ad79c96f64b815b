"""Synthetic data for benchmarks: a whole province of campaigns inserted in bulk
(`fazhi bench seed --scale county|city|province`). A plain package, not an app: it has no models
of its own and writes the other apps' tables as their services would."""
