"""Render a Brief: Markdown (terminals), JSON (the documented contract), HTML."""
