"""Scanner checks whose outcome the compiler knows: an exception for a check that holds is moot."""

from __future__ import annotations

DIGEST_CHECK = "CKV_K8S_43"
SECRET_ENV_CHECK = "CKV_K8S_35"
TOKEN_CHECK = "CKV_K8S_38"


def holds(check: str, *, digest: bool, secret_values: bool, token: bool) -> str | None:
    """Why check holds without an exception, or None when it may fail."""
    if check == DIGEST_CHECK and digest:
        return f"the image pins a digest; {check} holds without an exception"
    if check == SECRET_ENV_CHECK and not secret_values:
        return f"no variable holds a secret value; {check} holds without an exception"
    if check == TOKEN_CHECK and not token:
        return f"no service account token is mounted; {check} holds without an exception"
    return None
