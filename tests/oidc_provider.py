"""A real OpenID Connect provider for tests: npm's certified `oidc-provider`, run by Node.

    with running_provider(clients=[...], accounts={...}) as op:
        op.issuer, op.authorization_endpoint, op.token_endpoint, ...

Needs Node.js and the package installed once: `npm ci --prefix tests/oidc`.
See tests/oidc/provider.mjs for the configuration and the login/consent pages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
INSTALL_HINT = "run `npm ci --prefix tests/oidc` (from the repository root)"


class ProviderError(RuntimeError):
    """The provider could not be started."""


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    discovery: dict[str, Any]


def node_available() -> bool:
    """Whether Node.js and the installed npm package are there (for skip conditions)."""
    return bool(shutil.which("node")) and (OIDC_DIR / "node_modules" / "oidc-provider").is_dir()


@contextmanager
def running_provider(
    clients: Sequence[Mapping[str, Any]],
    accounts: Mapping[str, Mapping[str, Any]],
    *,
    require_pkce: bool = False,
    skip_consent: bool = False,
    skip_logout_prompt: bool = False,
    port: int = 0,
    timeout: float = 20.0,
    node: str | None = None,
) -> Iterator[RunningProvider]:
    """Start the provider on 127.0.0.1 and stop it on exit.

    `clients`: dicts with client_id, client_secret, redirect_uris, post_logout_redirect_uris,
    token_endpoint_auth_method ("client_secret_basic", the default, or "client_secret_post");
    response_types ["code"] and grant_types ["authorization_code"] are the defaults.
    `accounts`: login name -> claims (sub, email, email_verified, given_name, family_name, name).
    `port` 0 lets the OS choose a free port (no race); the issuer is http://127.0.0.1:PORT.
    """
    node = node or shutil.which("node")
    if not node:
        raise ProviderError(f"Node.js (`node`) not found on PATH; install it, then {INSTALL_HINT}")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        raise ProviderError(f"{OIDC_DIR / 'node_modules'} has no oidc-provider: {INSTALL_HINT}")

    config = {
        "clients": [dict(c) for c in clients],
        "accounts": {name: dict(claims) for name, claims in accounts.items()},
        "require_pkce": require_pkce,
        "skip_consent": skip_consent,
        "skip_logout_prompt": skip_logout_prompt,
    }
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as tmp:
        tmp_path = Path(tmp)
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        # Files, not pipes: nobody has to drain them while the tests run.
        out_path, err_path = tmp_path / "stdout.log", tmp_path / "stderr.log"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                [node, str(PROVIDER_SCRIPT), str(config_path), "--port", str(port)],
                cwd=OIDC_DIR,
                stdin=subprocess.PIPE,  # closed by us (or our death): the provider exits
                stdout=out,
                stderr=err,
                env={**os.environ, "OIDC_EXIT_ON_STDIN_EOF": "1"},
            )
        try:
            issuer = _wait_ready(proc, out_path, err_path, timeout)
            with urllib.request.urlopen(
                f"{issuer}/.well-known/openid-configuration", timeout=10
            ) as response:
                discovery = json.load(response)
            yield RunningProvider(
                issuer=discovery["issuer"],
                authorization_endpoint=discovery["authorization_endpoint"],
                token_endpoint=discovery["token_endpoint"],
                userinfo_endpoint=discovery["userinfo_endpoint"],
                jwks_uri=discovery["jwks_uri"],
                end_session_endpoint=discovery["end_session_endpoint"],
                discovery=discovery,
            )
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen, out_path: Path, err_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for line in out_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("READY "):
                return line.split(" ", 1)[1].strip()
        code = proc.poll()
        if code is not None or time.monotonic() > deadline:
            what = f"exited with code {code}" if code is not None else f"not ready in {timeout}s"
            stderr = err_path.read_text(encoding="utf-8", errors="replace").strip()
            hint = (
                f"\nIf a module is missing: {INSTALL_HINT}"
                if "ERR_MODULE_NOT_FOUND" in stderr
                else ""
            )
            raise ProviderError(f"OIDC provider {what}.\nstderr:\n{stderr or '(empty)'}{hint}")
        time.sleep(0.05)


def _stop(proc: subprocess.Popen) -> None:
    if proc.stdin:
        proc.stdin.close()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
