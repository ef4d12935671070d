"""The requests API: customer endpoints (customer.py), support engineers' (engineer.py)."""
