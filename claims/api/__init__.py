"""The JSON API under /api/v1: token authentication, operations and their OpenAPI document."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from claims.api import analysis_api, claims_api, directory_api, tokens
from claims.api.registry import bp
from claims.security import policy

__all__ = ["analysis_api", "bp", "claims_api"]

bp.add_url_rule("/openapi.json", "openapi", policy("public")(directory_api.openapi_json))
bp.add_url_rule("/docs", "docs", policy("public")(directory_api.docs))


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Exempt the API from the blanket CSRF check; tokens.install re-applies it to cookies."""
    state.app.extensions["csrf"].exempt(bp)
    tokens.install(state.app)
