"""Use-cases: plain functions over a Session that validate, change and never commit."""
