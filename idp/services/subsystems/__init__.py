"""Subsystems (子系統) and what people hold in them: the catalogues of roles, duties and
menu roles (``catalogues``), admin quotas (``quotas``), bindings of subsystem accounts
to hub accounts (``bindings``), legacy subsystem accounts and their old password
hashes (``legacy_import``, ``legacy_passwords``), and each subsystem's registration as
an OpenID Connect client (``clients``)."""
