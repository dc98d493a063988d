"""Applying for an account (帳號申請) and for subsystem accounts: checking and storing
an application (``submission``), requests for subsystem accounts
(``subsystem_requests``), what the applicant sees of its progress
(``status``), and the paper route of a unit admin's application — the pre-filled form
(``paper_form``, ``paper_review``) and the signed scan (``uploads``). Who decides an
application is ``permissions``; deciding it is ``reviews``."""
