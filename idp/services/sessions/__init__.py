"""Hub sessions: starting, listing and ending them, and shutting an account out
(``hub_sessions``); telling subsystems that a session ended, by back-channel logout
from an outbox with retries (``backchannel``)."""
