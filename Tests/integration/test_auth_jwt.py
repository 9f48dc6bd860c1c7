"""JWTs as an outside peer (PyJWT) sees them, and every forgery the server must refuse."""
import hashlib
import hmac
import json
import os
import stat
import warnings

import jwt
import jwt.warnings
import pytest

from auth_support import (ALL_PERMISSIONS, AUDIENCE, ISSUER, auth_env, auth_server, b64, decode, forge,  # noqa: F401
                          header_of_token, now, probe_plugin, start_auth)
from conftest import assert_error


def access_claims(template: dict, **changes) -> dict:
    claims = dict(template)
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_pyjwt_decodes_our_access_token_with_the_documented_claims(auth_server):
    pair = auth_server.tokens()
    secret = auth_server.jwt_secret()
    claims = decode(pair["access_token"], secret)
    assert claims["token_type"] == "access"
    assert claims["sub"] == pair["user"]["id"]
    assert claims["iss"] == ISSUER and claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == pair["expires_in"] == 900
    assert sorted(claims["permissions"]) == sorted(ALL_PERMISSIONS)
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert header_of_token(pair["access_token"]) == {"alg": "HS256", "typ": "at+jwt"}

    refresh = jwt.decode(pair["refresh_token"], secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    assert refresh["token_type"] == "refresh" and refresh["family"] and refresh["jti"] != claims["jti"]
    assert header_of_token(pair["refresh_token"])["typ"] == "rt+jwt"


def test_generated_secret_is_256_bits_in_a_0600_file_and_survives_a_restart(auth_server):
    path = auth_server.data_dir / "jwt_secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(auth_server.jwt_secret()) >= 43  # base64url of 32 random bytes
    token = auth_server.admin_token()
    auth_server.restart()
    assert auth_server.principal(token).status_code == 200


@pytest.fixture
def minted(auth_server):
    """A valid PyJWT-minted access token (the positive control) and what forging needs."""
    pair = auth_server.tokens()
    secret = auth_server.jwt_secret()
    claims = decode(pair["access_token"], secret)
    token = jwt.encode(access_claims(claims, jti="forged-1", iat=now(), exp=now() + 300), secret,
                       algorithm="HS256", headers={"typ": "at+jwt"})
    assert auth_server.principal(token).status_code == 200, "the control token must be accepted"
    return auth_server, secret, claims


def rejected(server, token):
    response = server.principal(token)
    body = assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    return body


def test_alg_none_is_rejected(minted):
    server, secret, claims = minted
    for alg in ("none", "None", "NONE"):
        rejected(server, forge({"alg": alg, "typ": "at+jwt"}, claims))
    rejected(server, jwt.encode(claims, None, algorithm="none", headers={"typ": "at+jwt"}))


def test_other_algorithms_and_missing_alg_are_rejected(minted):
    server, secret, claims = minted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        rejected(server, jwt.encode(claims, secret, algorithm="HS512", headers={"typ": "at+jwt"}))
        rejected(server, jwt.encode(claims, secret, algorithm="HS384", headers={"typ": "at+jwt"}))
    # A correct HS256 MAC, but the header does not say HS256.
    header = b64(json.dumps({"typ": "at+jwt"}).encode())
    payload = jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt"}).split(".")[1]
    mac = b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    rejected(server, f"{header}.{payload}.{mac}")


def test_crit_and_header_supplied_keys_are_rejected(minted):
    server, secret, claims = minted
    for extra in ({"crit": ["exp"], "exp": 1}, {"jku": "https://evil.example/jwks"},
                  {"jwk": {"kty": "oct", "k": "AAAA"}}, {"x5u": "https://evil.example/cert"}):
        rejected(server, jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt", **extra}))


def test_tampered_payload_is_rejected(minted):
    server, secret, claims = minted
    token = jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "at+jwt"})
    header, payload, signature = token.split(".")
    tampered = jwt.encode(access_claims(claims, sub="user_someone_else"), secret, algorithm="HS256",
                          headers={"typ": "at+jwt"}).split(".")[1]
    rejected(server, f"{header}.{tampered}.{signature}")
    rejected(server, f"{header}.{payload}.{signature[:-2]}AA")
    rejected(server, jwt.encode(claims, b"another secret of at least thirty-two bytes", algorithm="HS256",
                                headers={"typ": "at+jwt"}))


def test_expired_tokens_are_rejected_beyond_30_seconds_of_leeway(minted):
    server, secret, claims = minted
    rejected(server, jwt.encode(access_claims(claims, iat=now() - 4000, exp=now() - 3000), secret,
                                algorithm="HS256", headers={"typ": "at+jwt"}))
    rejected(server, jwt.encode(access_claims(claims, exp=now() - 45), secret, algorithm="HS256",
                                headers={"typ": "at+jwt"}))
    within = jwt.encode(access_claims(claims, exp=now() - 10), secret, algorithm="HS256", headers={"typ": "at+jwt"})
    assert server.principal(within).status_code == 200
    rejected(server, jwt.encode(access_claims(claims, nbf=now() + 600), secret, algorithm="HS256",
                                headers={"typ": "at+jwt"}))
    rejected(server, jwt.encode(access_claims(claims, iat=now() + 600), secret, algorithm="HS256",
                                headers={"typ": "at+jwt"}))


def test_wrong_token_type_typ_issuer_audience_or_missing_claims_are_rejected(minted):
    server, secret, claims = minted
    sign = lambda c, typ="at+jwt": jwt.encode(c, secret, algorithm="HS256", headers={"typ": typ})  # noqa: E731
    rejected(server, sign(access_claims(claims, token_type="refresh")))
    rejected(server, sign(access_claims(claims, token_type="refresh"), typ="rt+jwt"))
    rejected(server, sign(claims, typ="rt+jwt"))
    rejected(server, sign(claims, typ="JWT"))
    rejected(server, sign(access_claims(claims, iss="someone-else")))
    rejected(server, sign(access_claims(claims, aud="another-api")))
    for missing in ("exp", "iat", "sub", "jti", "iss", "aud", "token_type", "sid"):
        rejected(server, sign({k: v for k, v in claims.items() if k != missing}))
    rejected(server, sign(access_claims(claims, exp=str(claims["exp"]))))


def test_a_refresh_token_is_never_an_access_token_nor_the_reverse(auth_server):
    pair = auth_server.tokens()
    rejected(auth_server, pair["refresh_token"])
    response = auth_server.as_user(pair["access_token"], "POST", "/api/v1/auth/refresh")
    assert_error(response, 401, "unauthorized")
    assert auth_server.post("/api/v1/auth/refresh", json={"refresh_token": pair["access_token"]}).status_code == 401


def test_malformed_tokens_are_rejected(auth_server):
    good = auth_server.admin_token()
    header, payload, signature = good.split(".")
    for token in (f"{header}.{payload}", f"{header}.{payload}.{signature}.x", f"{header}=.{payload}.{signature}",
                  f"{header}.{payload}.{signature}==", f".{payload}.{signature}", "not-a-token",
                  f"{header}.{payload}.", "a" * 9000,
                  f"{header}.{payload.replace('-', '+').replace('_', '/')}.{signature}"):
        if token == good:
            continue
        rejected(auth_server, token)


def test_previous_secrets_still_verify_and_only_the_current_one_signs(start_auth):
    old = "old-secret-old-secret-old-secret-0123"
    new = "new-secret-new-secret-new-secret-4567"
    server = start_auth(config=f'[auth]\njwt_secret = "{old}"\n')
    token = server.admin_token()
    decode(token, old.encode())
    server.restart(config=f'[auth]\njwt_secret = "{new}"\nprevious_jwt_secrets = ["{old}"]\n')
    assert server.principal(token).status_code == 200
    fresh = server.admin_token()
    decode(fresh, new.encode())
    with pytest.raises(jwt.InvalidSignatureError):
        decode(fresh, old.encode())
    server.restart(config=f'[auth]\njwt_secret = "{new}"\n')
    assert server.principal(token).status_code == 401
    assert server.principal(fresh).status_code == 200


def test_bad_tokens_are_ignored_on_public_routes(auth_server):
    for path in ("/api/health", "/api/v1/auth-probe/events"):
        response = auth_server.request("GET", path, headers={"Authorization": "Bearer garbage"})
        assert response.status_code == 200, response.text
    response = auth_server.post("/api/v1/auth/login", headers={"Authorization": "Bearer stale"},
                                json={"username": "root-admin", "password": "correct horse battery"})
    assert response.status_code == 200


def test_missing_and_non_bearer_credentials_get_401_with_a_bearer_challenge(auth_server):
    response = auth_server.get("/api/v1/auth/me")
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = auth_server.get("/api/v1/auth/me", headers={"Authorization": "Basic cm9vdDpyb290"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
