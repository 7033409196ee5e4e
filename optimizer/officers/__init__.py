"""Liaison officers (包村民警): the pair table, the model, bounds, solvers and the county engine."""
