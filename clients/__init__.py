"""Programs that talk to the hub from outside: the demo subsystems, the card agent."""
