// A real OpenID Connect provider for the browser tests: npm's `oidc-provider`
// on a loopback port chosen at run time, with two accounts and its own login
// and consent pages (any password is accepted). Kim is in the group
// "moderatorer"; Olle is not.

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

export const accounts = {
  kim: { sub: 'kim', name: 'Kim Lind', email: 'kim@myndighet.example', email_verified: true, groups: ['moderatorer'] },
  olle: { sub: 'olle', name: 'Olle Utanför', email: 'olle@annan.example', email_verified: true, groups: ['deltagare'] },
};

/** A free loopback port (for a server whose address must be known before it starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the provider with one confidential client that may send users back to `redirectUri`; PKCE is required. */
export async function startProvider(redirectUri) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const secret = randomBytes(24).toString('hex');
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'grupprum',
      client_secret: secret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // As the specification has it: with an access token, the ID token carries
    // no scope claims; the panel reads e-mail and groups at the userinfo endpoint.
    findAccount: (_ctx, id) => accounts[id] && { accountId: id, claims: () => accounts[id] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
    // PKCE (S256) for every client, confidential ones too: a sign-in
    // without it is refused.
    pkce: { required: () => true },
  });
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider:', err));
  server.on('request', provider.callback());
  return {
    issuer,
    secret,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
