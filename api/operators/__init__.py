"""The Sportello's operators: accounts of the console (issue 8).

models (the table), passwords (Argon2id), crud (create, disable, reset, authenticate),
cli (`python -m api.operators …`, what `make operator` runs).
"""
