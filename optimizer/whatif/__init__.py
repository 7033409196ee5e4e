"""What-if runs: re-plan after a change, moving as little as possible."""
