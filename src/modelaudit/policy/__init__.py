"""Policy: rules turn facts into findings; a policy picks severities and the failure threshold."""
