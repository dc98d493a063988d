"""Domain services: plain functions over a SQLAlchemy session and the store.

Nothing here imports Flask; the web layer, the command line and tests call the same
functions.
"""
