"""Unit tests for token signing and verification."""

import pytest

from app.auth import sign_token, verify_token


def test_a_signed_token_verifies_to_its_user() -> None:
    assert verify_token(sign_token("alice", "s3cret"), "s3cret") == "alice"


def test_a_token_is_rejected_under_another_secret_or_when_tampered() -> None:
    token = sign_token("alice", "s3cret")
    assert verify_token(token, "other") is None
    assert verify_token("bob" + token[len("alice"):], "s3cret") is None
    assert verify_token("not-a-token", "s3cret") is None


def test_sign_token_rejects_a_malformed_user_id() -> None:
    with pytest.raises(ValueError):
        sign_token("alice.admin", "s3cret")
