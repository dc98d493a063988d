"""Domain services: plain functions over a SQLAlchemy session and the store, one
package per domain. Nothing here imports Flask; the web layer, the command line and
tests call the same functions.

- ``accounts``: the hub account's life (adding, editing, disabling, dormancy, 復權),
  personal data (profile, person fields, 身分證).
- ``applications``: applying (帳號申請), 申請進度查詢, the paper route's form and scan.
- ``reviews``: deciding applications and subsystem requests (the approval state
  machine), role changes and privilege requests.
- ``units``: institutions, counties and districts, the national unit list.
- ``subsystems``: catalogues (roles, duties, menu roles), admin quotas, bindings,
  legacy subsystem accounts, OIDC client registrations.
- ``signin``: sign-in steps, captcha, lockout and address limits, password rules,
  password hashing, changing and resetting passwords.
- ``cards``: institution and personnel smartcards (certificates, CMS, OCSP, the
  challenge, card sign-in, enrolment, card verification of applications).
- ``sessions``: hub sessions and back-channel logout notifications.
- ``tokens``: access tokens, grants and refresh tokens, revocation, signing keys.
- ``messaging``: mail outbox and inbox (站內訊息).
- ``reports``: the admin dashboard and the sign-in logs.

Cross-cutting modules: ``permissions`` (who may do what, one place), ``policy`` (the
security policy as versioned data), ``audit``, ``errors``, ``key_derivation`` and
``import_report``.
"""
