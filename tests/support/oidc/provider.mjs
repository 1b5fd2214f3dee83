// A real OpenID Connect provider (panva/oidc-provider) for hushdesk's tests, laid out like Keycloak.
//
//   node provider.mjs --port P [--realm hushdesk] --client-id ID --client-secret SECRET \
//        --redirect-uri URI [--redirect-uri URI2 ...] --users users.json
//
// Issuer http://127.0.0.1:P/realms/REALM; endpoints under Keycloak's paths:
//   /realms/REALM/.well-known/openid-configuration
//   /realms/REALM/protocol/openid-connect/{auth,token,userinfo,certs,logout}
// One confidential client: client_secret_post, authorization code, no PKCE required, consent
// granted automatically. Login is a plain HTML form (input[name=login], input[name=password])
// checked against users.json: {"ACCOUNT_ID": {"password": "...", "email": "...",
// "preferred_username": "...", "groups": ["/hushdesk-admins"], ...}}. Every claim of a user except
// "password" is released in userinfo: email/email_verified with scope "email", the rest with
// "profile". State is in memory; listens on 127.0.0.1 only; prints "oidc-provider ready ISSUER".

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    realm: { type: 'string', default: 'hushdesk' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    users: { type: 'string' },
  },
  strict: true,
});

for (const name of ['port', 'client-id', 'client-secret', 'redirect-uri', 'users']) {
  if (!opts[name]) {
    process.stderr.write(`provider.mjs: --${name} is required\n`);
    process.exit(2);
  }
}
if (!/^[A-Za-z0-9._-]+$/.test(opts.realm)) {
  process.stderr.write('provider.mjs: --realm must match [A-Za-z0-9._-]+\n');
  process.exit(2);
}

const port = Number(opts.port);
const prefix = `/realms/${opts.realm}`;
const issuer = `http://127.0.0.1:${port}${prefix}`;
const users = JSON.parse(fs.readFileSync(opts.users, 'utf8'));

// Claims released per scope: every key any user has (except the password).
const EMAIL_CLAIMS = new Set(['email', 'email_verified']);
const userKeys = new Set(Object.values(users).flatMap((u) => Object.keys(u)));
userKeys.delete('password');
userKeys.delete('sub');
const emailClaims = [...userKeys].filter((k) => EMAIL_CLAIMS.has(k));
const profileClaims = [...userKeys].filter((k) => !EMAIL_CLAIMS.has(k));

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'standin', use: 'sig', alg: 'RS256' };

async function autoGrant(ctx) {
  // Grant every requested scope to our one first-party client: there is never a consent screen.
  const { oidc } = ctx;
  if (!oidc.session?.accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!grant) {
    grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
  }
  grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
  await grant.save();
  return grant;
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: opts['client-id'],
    client_secret: opts['client-secret'],
    redirect_uris: opts['redirect-uri'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    email: emailClaims,
    profile: profileClaims,
  },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  async findAccount(_ctx, id) {
    if (!Object.hasOwn(users, id)) return undefined;
    return {
      accountId: id,
      async claims() {
        const { password: _ignored, ...claims } = users[id];
        return { ...claims, sub: id };
      },
    };
  },
  loadExistingGrant: autoGrant,
  pkce: { required: () => false },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600,
    RefreshToken: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
  routes: {
    authorization: '/protocol/openid-connect/auth',
    token: '/protocol/openid-connect/token',
    userinfo: '/protocol/openid-connect/userinfo',
    jwks: '/protocol/openid-connect/certs',
    end_session: '/protocol/openid-connect/logout',
    pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
  },
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (_ctx, err) => process.stderr.write(`${event}: ${err?.name}: ${err?.message}\n`));
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(res, uid, clientId, error, status = 200) {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
</head><body>
<h1>Sign in</h1>
<p>to ${escapeHtml(clientId)}</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${prefix}/interaction/${escapeHtml(uid)}">
<label for="login">Username</label><input id="login" name="login" autocomplete="username" autofocus required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(body);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 65536) {
        reject(new Error('form too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function passwordMatches(id, password) {
  const user = Object.hasOwn(users, id) ? users[id] : undefined;
  const digest = (s) => crypto.createHash('sha256').update(String(s)).digest();
  const expected = digest(typeof user?.password === 'string' ? user.password : crypto.randomUUID());
  return crypto.timingSafeEqual(expected, digest(password ?? '')) && typeof user?.password === 'string';
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session, grantId } = details;

  if (prompt.name === 'consent') {
    // Only reached when the client asks for prompt=consent: grant it without a screen.
    const grant = (grantId && await provider.Grant.find(grantId))
      || new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    loginPage(res, uid, params.client_id);
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const form = await readForm(req);
  const login = form.get('login') ?? '';
  if (!passwordMatches(login, form.get('password'))) {
    loginPage(res, uid, params.client_id, 'Invalid username or password.', 401);
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } },
    { mergeWithLastSubmission: false });
}

const providerCallback = provider.callback();
const interactionPath = new RegExp(`^${prefix.replace(/\./g, '\\.')}/interaction/([A-Za-z0-9_-]+)$`);

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  const match = interactionPath.exec(path);
  if (match) {
    interaction(req, res, match[1]).catch((err) => {
      process.stderr.write(`interaction error: ${err?.message}\n`);
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Sign-in session expired or invalid; start again from the application.\n');
    });
    return;
  }
  if (path.startsWith(`${prefix}/`)) {
    // Mount oidc-provider under /realms/REALM (it derives its URLs from originalUrl vs url).
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length);
    providerCallback(req, res);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`oidc-provider ready ${issuer}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
