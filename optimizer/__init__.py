"""cunjing's engine: loading, geo enrichment, models, solvers, scenarios, reports, command line."""
