"""What the web pages (``idp.web``) and the provider (``idp.oidc``) share about a
request: the hub and the caller (``context``), the request's unit of work
(``unit_of_work``), turning refusals into answers (``errors``), the server-side browser
session (``sessions``) and the signed-in state kept in it (``auth_session``), who may
open a page (``access``), forms with CSRF (``forms``), the page language (``i18n``), the
sign-in page (``signin_page``), and paused authorization requests (``interaction``).
Nothing here imports ``idp.web`` or ``idp.oidc``."""
