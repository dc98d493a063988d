"""What the tests share, imported by name from here; fixtures built on it are in the
``conftest.py`` files, and a test module never imports another test module.

``hub``           a prepared hub over an emptied database, and a live hub on 127.0.0.1
``helpers``       clients, accounts, and a browser-less person using the hub's pages
``oidc``          a subsystem's side of the code flow (Authlib) and ID token checks (PyJWT)
``applications``  units, admins and application forms, in the domain and on the pages
``switch_in``     bound and legacy subsystem accounts
``rps``           the demo subsystems as live servers
``smtp``          a real SMTP server (aiosmtpd)
``cli``           ``idp`` run as a program
``replicas``      two ``idp serve`` processes over one database
``browser``       signing in on the pages in Chromium
``cards``         the SoftHSM2 development cards, the card agent, the card forms
``pki``           a CA made in the test, for card certificates
``pdf``           reading back the hub's PDFs
"""
