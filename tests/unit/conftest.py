"""Unit tests: functions, and services over a database session (the ``hub`` fixture of
the top-level conftest.py), with no server and no HTTP; some run ``idp`` as a program."""
