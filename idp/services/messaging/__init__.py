"""Telling people: mail written to an outbox with the change that causes it and sent
by the worker (``mail``), the inbox of 站內訊息 (``inbox``), and the pauses between
retries of an outbox delivery (``retry``)."""
