"""Session tokens, signed with the tinyjwt package."""
import tinyjwt


def session_token(user_id: str) -> str:
    """A token for ``user_id``."""
    return tinyjwt.sign({"sub": user_id})
