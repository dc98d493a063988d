"""Second factors (兩步驟驗證): passkeys and security keys (WebAuthn), authenticator-app
codes (TOTP, RFC 6238) and recovery codes; who must hold one under the policy; the
sign-in steps that check them; and managing them — by the person, or a reset by their
unit admin or the authority."""
