"""Interfaces: the CLI, the HTTP API and the web page, all thin over the library."""
