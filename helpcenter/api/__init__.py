"""What every endpoint of /api/v1/ shares: authentication, permissions, throttles, errors and
the schema. The endpoints themselves live with their apps (accounts/api.py, plans/api.py,
tickets/api/)."""
