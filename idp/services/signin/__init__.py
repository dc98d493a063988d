"""Signing in: the steps a sign-in is made of and the ``acr`` they give (``steps``),
the captcha (``captcha``), lockout and per-address limits (``throttle``), the password
rules of the policy (``password_rules``), password hashing (``passwords``), and
changing, expiring and resetting passwords (``credentials``)."""
