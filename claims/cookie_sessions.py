"""Flask's signed cookie sessions, byte for byte, with less work per request."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from flask import Flask
from flask.json import dumps as json_dumps
from flask.json import loads as json_loads
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import SignatureExpired, URLSafeTimedSerializer

from claims.lru import LRU


class _SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON for sessions: the same text, with plain JSON types walked directly."""

    # The generic walk asks every tag of every value whether it applies; a session holds
    # strings, numbers and the flash list of tuples, and anything else takes the generic path.
    def _tag(self, value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is int or kind is bool or kind is float or value is None:
            return value
        if kind is list:
            return [self._tag(item) for item in value]
        if kind is tuple:
            return {" t": [self._tag(item) for item in value]}
        if kind is dict and not (len(value) == 1 and next(iter(value)) in self.tags):
            return {key: self._tag(item) for key, item in value.items()}
        return self.tag(value)

    def dumps(self, value: Any) -> str:
        """Tag the value and dump it to compact JSON, exactly as Flask does."""
        return json_dumps(self._tag(value), separators=(",", ":"))

    def loads(self, value: str | bytes) -> Any:
        """Load JSON, untagging each object as it is decoded (innermost first, like Flask)."""
        return json_loads(value, object_hook=self.untag)


_SCALARS = (str, int, float, bool, type(None))


class _SessionSigning(URLSafeTimedSerializer):
    """Flask's session serializer, remembering recent results (the same text either way).

    A cookie seen before is not verified again, only its age checked; a session signed again
    within the same second (itsdangerous stamps whole seconds) gets the same text without the
    compression and HMACs.  Made per set of keys, so a key change forgets both.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # cookie -> (its timestamp, its data); only data of immutable values (a shallow
        # copy per request then suffices): a session with flashes takes the full path.
        self._opened: LRU[str, tuple[int, dict[str, Any]]] = LRU(4096)
        self._signed: LRU[tuple[str, int], str] = LRU(4096)

    def loads(self, s: str | bytes, max_age: int | None = None,  # type: ignore[override]
              return_timestamp: bool = False, salt: str | bytes | None = None) -> Any:
        """Verify and load a cookie (as Flask calls it: with max_age, for the data alone)."""
        if return_timestamp or salt is not None or max_age is None or not isinstance(s, str):
            return super().loads(s, max_age, return_timestamp, salt)
        found = self._opened.get(s)
        if found is not None:
            stamp, data = found
            # TimestampSigner.unsign's checks on the same whole seconds.
            age = int(time.time()) - stamp
            if age > max_age or age < 0:
                raise SignatureExpired("Signature expired")
            return dict(data)
        data, signed_at = super().loads(s, max_age, True)
        if type(data) is dict and all(type(v) in _SCALARS for v in data.values()):
            self._opened.put(s, (int(signed_at.timestamp()), dict(data)))
        return data

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> Any:
        """Sign a session's data (the same text as itsdangerous within the same second)."""
        if salt is not None:
            return super().dumps(obj, salt)
        key = (self.serializer.dumps(obj), int(time.time()))
        found = self._signed.get(key)
        if found is None:
            found = super().dumps(obj)
            self._signed.put(key, found)
        return found


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, byte for byte, with less work per request."""

    serializer = _SessionJSON()
    # The same HMAC-SHA1; a C hash constructor lets hmac use OpenSSL's HMAC instead of
    # Flask's lazy Python wrapper, which hmac can only drive through its Python fallback.
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._signing: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask builds this twice a request; it only changes with the keys."""
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._signing
        if cached is None or cached[0] != keys:
            signing = None
            if app.secret_key:
                # As Flask builds it (current key last), with the caches above.
                signing = _SessionSigning(
                    [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key],
                    salt=self.salt, serializer=self.serializer,
                    signer_kwargs={"key_derivation": self.key_derivation,
                                   "digest_method": self.digest_method})
            cached = self._signing = (keys, signing)
        return cached[1]
