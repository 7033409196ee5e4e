"""Solving a linear model: the solver-neutral model, CP-SAT and HiGHS, statuses, options and stopping."""
