"""The store: SQLite, the source of truth every index is derived from."""

from medbrief.store.sqlite import Change, Store, WriteCounts

__all__ = ["Change", "Store", "WriteCounts"]
