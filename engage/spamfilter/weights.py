"""A trained model as bytes: what the database row and the starter model file hold.

Contract: ``decode_model(encode_model(m)) == m`` (weights, counts, near-duplicate sketches)
up to weights rounded to 6 decimals (far below
any effect on a score); ``decode_model`` raises ``ValueError`` for anything else, so a damaged
row or file is never half-read. Pure: no database, no files.
"""

from __future__ import annotations

import json
import zlib

from engage.spamfilter.model import LinearModel

FORMAT = 1


def encode_model(model: LinearModel) -> bytes:
    """The model as compressed JSON (weights rounded to 6 decimals: far below any effect)."""
    payload = {"format": FORMAT, "spam": model.spam_examples, "ham": model.ham_examples,
               "weights": {token: round(weight, 6) for token, weight in model.weights.items()}}
    if model.spam_sketches:  # optional: models stored before near-duplicates have none
        payload["sketches"] = [list(values) for values in model.spam_sketches]
    return zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 6)


def decode_model(blob: bytes) -> LinearModel:
    """The inverse of ``encode_model``; ValueError for anything else."""
    try:
        payload = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as error:
        raise ValueError(f"not a stored spam model: {error}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError("unknown spam model format")
    try:
        sketches = [tuple(int(v) for v in values) for values in payload.get("sketches", [])]
        return LinearModel({str(k): float(v) for k, v in payload["weights"].items()},
                           int(payload["spam"]), int(payload["ham"]), sketches)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"damaged spam model: {error!r}") from None
