"""Bearer-token authentication.

A token is ``<user_id>.<signature>``, the signature being the hex HMAC-SHA256
of the user id keyed with ``TASK_SERVICE_AUTH_SECRET``. The caller's identity
comes only from a verified token, never from a request body or query string.
Issue a token with ``python -m app.auth <user_id>``. A production deployment
would verify JWTs from its identity provider instead; the dependency's
contract (a verified user id, or 401) stays the same.
"""

import hashlib
import hmac
import re
import sys
from typing import Optional

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings, load_settings
from app.dependencies import get_settings

_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_bearer = HTTPBearer(auto_error=False)


def sign_token(user_id: str, secret: str) -> str:
    """Issues a token for a user.

    Args:
        user_id: 1-64 letters, digits, ``_`` or ``-``.
        secret: The signing key.

    Returns:
        The bearer token.

    Raises:
        ValueError: The user id is malformed.
    """
    if not _USER_ID.fullmatch(user_id):
        raise ValueError("user id must be 1-64 letters, digits, '_' or '-'")
    signature = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return f"{user_id}.{signature}"


def verify_token(token: str, secret: str) -> Optional[str]:
    """Returns the user id a token was issued for, or None when it is not valid."""
    user_id = token.partition(".")[0]
    if not _USER_ID.fullmatch(user_id):
        return None
    return user_id if hmac.compare_digest(sign_token(user_id, secret), token) else None


def get_current_user(
    credentials: Optional[HTTPAuthorizationCredentials] = Depends(_bearer),
    settings: Settings = Depends(get_settings),
) -> str:
    """Dependency: the verified user id of the caller.

    Raises:
        HTTPException: 401 when the bearer token is missing or invalid.
    """
    user_id = verify_token(credentials.credentials, settings.auth_secret) if credentials else None
    if user_id is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user_id


if __name__ == "__main__":
    print(sign_token(sys.argv[1], load_settings().auth_secret))
