"""The ``cunjing`` command line."""
