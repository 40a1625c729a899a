"""The token helpers, through the installed tinyjwt."""
import tinyjwt

from tokens import session_token


def test_a_session_token_is_tinyjwts_signature_of_the_user() -> None:
    assert session_token("alice") == tinyjwt.sign({"sub": "alice"})
