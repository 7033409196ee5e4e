"""One module per rule of the policy (POLICY.md), named after the rule id."""
