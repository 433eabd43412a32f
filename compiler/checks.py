"""Scanner checks whose outcome the compiler knows: an exception for a check that holds is moot."""

from __future__ import annotations

from compiler.model import Workload

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


def holds_for(check: str, workload: Workload) -> str | None:
    """Why check holds for a planned workload, or None."""
    return holds(
        check,
        digest=workload.digest is not None,
        secret_values=any(s.env is not None and s.file is None for s in workload.secrets),
        token=workload.uses_api,
    )
