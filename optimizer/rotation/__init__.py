"""The auxiliaries' rotation over several periods (定期交流)."""
