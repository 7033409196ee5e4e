"""Settings of the property tests (hypothesis): reproducible examples, no minutes-long shrinking,
and as many examples as ``CUNJING_PROPERTY_EXAMPLES`` asks for (else the test's default)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings


def property_settings(default_examples: int) -> settings:
    return settings(
        max_examples=int(os.environ.get("CUNJING_PROPERTY_EXAMPLES", default_examples)),
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        # tmp_path_factory is session-wide: one folder per example, no state shared
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
