"""Deciding what people asked for: applications and subsystem requests (帳號申請核定,
業務子系統帳號申請審核) with the approval state machine (``decisions``), and role
changes A–D and privilege requests, which the authority decides (``role_changes``).
Every such decision is all or nothing for a batch, carries a reason, is audited and is
told to the people concerned.

資料異動申請 (``change_requests``) are decided one at a time, step by step along the
chains of ``policies/change_requests.yaml`` (``change_chains``); a refusal carries a
reason, and every decision is audited and told to the requester."""
