"""App tests: requests through Flask's test client, in the test's own process; the
``app`` and ``hub`` fixtures come from the top-level conftest.py."""
