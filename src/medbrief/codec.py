"""Encoding of the typed values to bytes and back (store blobs, JSON output).

msgspec encodes and decodes the frozen dataclasses of ``medbrief.types``
directly and validates types on decode, so a corrupt blob fails loudly.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from medbrief.types import Document, Recommendation

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_doc_decoder = msgspec.json.Decoder(Document)
_rec_decoder = msgspec.json.Decoder(Recommendation)


def encode(value: Any) -> bytes:
    return _encoder.encode(value)


def decode_document(blob: bytes) -> Document:
    return _doc_decoder.decode(blob)


def decode_recommendation(blob: bytes) -> Recommendation:
    return _rec_decoder.decode(blob)


def to_builtins(value: Any) -> Any:
    """Dicts and lists (for JSON output and HTTP bodies)."""
    return msgspec.to_builtins(value)


def convert(data: Any, type_: type[T]) -> T:
    """Build a typed value from dicts and lists, validating it."""
    return msgspec.convert(data, type_)
