"""Reading the audit log: searching it (稽核紀錄), checking its hash chain, and sending it
to a collector. Writing it is ``services.audit``."""
