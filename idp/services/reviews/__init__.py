"""Deciding what people asked for: applications and subsystem requests (帳號申請核定,
業務子系統帳號申請審核) with the approval state machine (``decisions``), and role
changes A–D and privilege requests, which the authority decides (``role_changes``).
Every decision is all or nothing for a batch, carries a reason, is audited and is told
to the people concerned."""
