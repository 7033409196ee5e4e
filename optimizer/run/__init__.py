"""Whole runs: the annual plan county by county, the executor, the helper process, checks."""
