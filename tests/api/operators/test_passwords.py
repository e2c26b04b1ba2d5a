"""Argon2id hashing, the rules for a new password and the temporary passwords."""

from __future__ import annotations

from argon2 import PasswordHasher

from api.operators import passwords


def test_a_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    stored = passwords.hash_password("correcthorsebatterystaple")
    assert stored.startswith("$argon2id$")
    assert "correcthorse" not in stored
    assert passwords.verify_password(stored, "correcthorsebatterystaple")
    assert not passwords.verify_password(stored, "correcthorsebatterystaplE")
    assert not passwords.verify_password(stored, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert passwords.hash_password("stessa password lunga") != passwords.hash_password("stessa password lunga")


def test_a_damaged_hash_verifies_nothing() -> None:
    assert not passwords.verify_password("non-un-hash", "qualsiasi")
    assert not passwords.verify_password("$argon2id$v=19$m=8,t=1,p=1$rotto", "qualsiasi")


def test_the_default_parameters_are_argon2s_recommended_ones() -> None:
    # The tests swap in cheap parameters (tests/api/conftest.py); production uses these.
    default = PasswordHasher()
    assert (default.time_cost, default.memory_cost, default.parallelism) == (3, 65536, 4)


def test_a_hash_made_with_weaker_parameters_needs_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("una password lunga")
    assert not passwords.needs_rehash(weak)  # the tests' hasher is that weak
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert stronger.check_needs_rehash(weak)


def test_password_rules() -> None:
    assert passwords.password_problem("corta") == "La password deve avere almeno 12 caratteri."
    assert passwords.password_problem(" " * 12) == "La password non può essere fatta solo di spazi."
    assert passwords.password_problem("x" * 257) == "La password può avere al massimo 256 caratteri."
    assert passwords.password_problem("anna.rossi-2026!", username="anna.rossi") == (
        "La password non deve contenere il nome utente."
    )
    assert passwords.password_problem("una frase lunga e facile da ricordare", username="anna") is None


def test_temporary_passwords_are_long_random_and_unambiguous() -> None:
    made = {passwords.temporary_password() for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert len(password) == 16 and passwords.password_problem(password) is None
        assert not set(password) & set("0O1lI")
