"""The Arabic text engine: pure functions, no Flask and no database."""
