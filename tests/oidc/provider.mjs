// A real OpenID Connect provider (npm `oidc-provider`, certified) for tests.
//
// Usage:
//   node tests/oidc/provider.mjs CONFIG.json [--port N]
//   OIDC_CONFIG=CONFIG.json OIDC_PORT=N node tests/oidc/provider.mjs
//
// Port 0 (the default) lets the OS pick a free port; the issuer is
// `http://127.0.0.1:<actual port>` either way. Once listening it prints exactly
// one line `READY http://127.0.0.1:<port>` to stdout. Everything else
// (oidc-provider warnings, errors, optional request log) goes to stderr.
//
// CONFIG.json:
// {
//   "clients": [{
//     "client_id": "rp", "client_secret": "s3cret",
//     "redirect_uris": ["http://127.0.0.1:8000/oidc/callback/"],
//     "post_logout_redirect_uris": ["http://127.0.0.1:8000/"],
//     "response_types": ["code"], "grant_types": ["authorization_code"],
//     "token_endpoint_auth_method": "client_secret_post"   // or client_secret_basic (the default)
//   }],
//   "accounts": {                     // login name -> claims
//     "alice": {"sub": "alice-sub", "email": "alice@example.org", "email_verified": true,
//               "given_name": "Alice", "family_name": "Liddell", "name": "Alice Liddell"}
//   },
//   "require_pkce": false,        // true: every authorization request needs S256 PKCE
//   "skip_consent": false,        // true: no consent page, scopes granted after login
//   "skip_logout_prompt": false   // true: end_session signs out without the confirmation page
// }
//
// Login/consent pages are oidc-provider's built-in devInteractions:
//   login:   form with input[name=login] (placeholder "Enter any login"),
//            input[name=password] (placeholder "and password"; any non-empty value
//            is accepted, the password is NOT checked), button "Sign-in".
//   consent: page titled "Authorize" with a single button "Continue"
//            (shown on the first authorization of a client in an OP session).
// The `sub` of an account is its "sub" claim (or the login name if it has none).
// A login name that is not in `accounts` ends the authorization with
// error=access_denied&error_description=unknown+login at the client's redirect_uri.
//
// OIDC_DEBUG=1 logs every request to stderr. OIDC_EXIT_ON_STDIN_EOF=1 makes the
// process exit when its stdin closes (so it dies with a parent that holds a pipe).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as querystring from 'node:querystring';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opts, positionals } = parseArgs({
  options: { port: { type: 'string' }, config: { type: 'string' } },
  allowPositionals: true,
});

const configPath = opts.config ?? positionals[0] ?? process.env.OIDC_CONFIG;
if (!configPath) {
  console.error('usage: node provider.mjs CONFIG.json [--port N]  (or OIDC_CONFIG / OIDC_PORT)');
  process.exit(2);
}
const port = Number(opts.port ?? process.env.OIDC_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${opts.port ?? process.env.OIDC_PORT}`);
  process.exit(2);
}

const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const accounts = config.accounts ?? {};
// Client metadata is passed to oidc-provider as given (it validates it), with
// code-flow defaults; id_tokens are RS256 (what mozilla-django-oidc verifies
// against jwks_uri with OIDC_RP_SIGN_ALGO="RS256").
const clients = (config.clients ?? []).map((c) => ({
  response_types: ['code'],
  grant_types: ['authorization_code'],
  id_token_signed_response_alg: 'RS256',
  ...c,
}));

// Signing key: a fresh RS256 key per process (published at jwks_uri).
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: crypto.randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

// accountId (and so the `sub` claim) is the account's `sub`, or its login name
// when it has none. The login step below maps the typed login name to it.
const subByLogin = new Map(
  Object.entries(accounts).map(([login, claims]) => [login, String(claims?.sub ?? login)]),
);
const claimsBySub = new Map(
  Object.entries(accounts).map(([login, claims]) => [subByLogin.get(login), claims ?? {}]),
);

function findAccount(ctx, id) {
  if (!claimsBySub.has(id)) return undefined;
  const claims = claimsBySub.get(id);
  return {
    accountId: id,
    async claims() {
      return { ...claims, sub: id };
    },
  };
}

async function autoLogoutSource(ctx, form) {
  // Same form oidc-provider renders, submitted at once with logout=yes.
  ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Logout Request</title></head>
<body>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}
<script>document.getElementById('op.logoutForm').submit()</script></body></html>`;
}

async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId
    || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) return ctx.oidc.provider.Grant.find(grantId);
  if (!config.skip_consent) return undefined;
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handler(req, res));

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    findAccount,
    jwks: { keys: [signingKey] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    scopes: ['openid', 'email', 'profile'],
    // Put the scope claims into the id_token too (default: userinfo only for code flow).
    conformIdTokenClaims: false,
    pkce: { required: () => Boolean(config.require_pkce) },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        ...(config.skip_logout_prompt ? { logoutSource: autoLogoutSource } : {}),
      },
    },
    loadExistingGrant,
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>oops! something went wrong</title></head>
<body><h1>oops! something went wrong</h1>${Object.entries(out).map(([k, v]) => `<pre><strong>${k}</strong>: ${String(v).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)}</pre>`).join('')}</body></html>`;
    },
  });
  // Plain http on loopback: not behind a proxy, cookies are not `secure`.
  provider.proxy = false;

  if (process.env.OIDC_DEBUG) {
    provider.use(async (ctx, next) => {
      await next();
      console.error(`oidc: ${ctx.method} ${ctx.path} -> ${ctx.status}`);
    });
  }

  // Login step of the dev interactions (same as oidc-provider's own handler),
  // except that a login name not in `accounts` finishes the interaction with
  // access_denied instead of looping back to the login page. Consent and the
  // pages themselves are left to devInteractions.
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)
        || !ctx.is('application/x-www-form-urlencoded')) {
      return next();
    }
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      return next(); // let oidc-provider render its own error
    }
    if (details.prompt.name !== 'login') return next();
    const raw = await new Promise((resolve, reject) => {
      const chunks = [];
      ctx.req.on('data', (c) => chunks.push(c));
      ctx.req.on('end', () => resolve(Buffer.concat(chunks).toString()));
      ctx.req.on('error', reject);
    });
    const body = querystring.parse(raw);
    if (body.prompt !== 'login' || typeof body.login !== 'string') {
      ctx.throw(400, 'expected the login form');
    }
    const result = subByLogin.has(body.login)
      ? { login: { accountId: subByLogin.get(body.login) } }
      : { error: 'access_denied', error_description: 'unknown login' };
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return undefined;
  });

  // Strip the Google Fonts @import from the built-in HTML pages (no CDNs).
  provider.use(async (ctx, next) => {
    await next();
    if (typeof ctx.body === 'string' && ctx.body.includes('fonts.googleapis.com')) {
      ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
    }
  });

  provider.on('server_error', (ctx, err) => console.error('oidc server_error:', err));

  handler = provider.callback();
  process.stdout.write(`READY ${issuer}\n`);
});

server.on('error', (err) => {
  console.error(`oidc provider: cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});

function shutdown() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.OIDC_EXIT_ON_STDIN_EOF) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
