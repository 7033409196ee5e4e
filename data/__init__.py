"""The embedded sample county and the generator of synthetic bundles."""
