"""Resident auxiliaries (驻村辅警): the pair table and the annual placement."""
