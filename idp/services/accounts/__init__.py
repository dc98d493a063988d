"""Hub accounts (帳號): finding and creating them (``directory``), what unit admins and
the authority do to them in 人員帳號管理 — adding, editing, disabling now or on a day,
dormancy and 復權 (``lifecycle``) — what a person changes themselves (``profile``), and
personal data: the fields of a person as forms give them (``person``, ``contact``) and
the 身分證 sealed at rest and shown masked (``national_id``)."""
