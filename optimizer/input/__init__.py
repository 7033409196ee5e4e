"""Reading: the bundle's tables, the policy, geometry, plan folders and work logs; the schemas of every file read or written."""
