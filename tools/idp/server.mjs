// An OpenID Connect provider standing in for the city's identity provider in the development
// stack and the tests: node-oidc-provider (a certified implementation) with its development login
// page. Anyone signs in with an id and any password; the access tokens are RS256 JWTs for the Warta
// APIs carrying the SOP role of the officers listed, as the city's provider is configured to issue.
//
// Configuration, as JSON in WARTA_IDP_CONFIG:
//   {"port": 8109, "issuer": "http://127.0.0.1:8109", "audience": "warta", "roleClaim": "warta_role",
//    "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}],
//    "officers": {"siti.admin": {"name": "Siti Rahmawati", "role": "admin"}}}
import { generateKeyPairSync } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(process.env.WARTA_IDP_CONFIG);
const RESOURCE = 'urn:warta:api'; // the Warta APIs, as one resource server
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const officer = (id) => config.officers[id];

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    ...c,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'warta-dev-1' }] },
  // Like the city's provider, it knows every civil servant; only the section's officers carry a
  // Warta role, and the APIs refuse a token without one.
  async findAccount(_ctx, id) {
    return { accountId: id, claims: async () => ({ sub: id, name: officer(id)?.name ?? id }) };
  },
  claims: { openid: ['sub'], profile: ['name'] },
  scopes: ['openid', 'profile'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, indicator) {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'warta',
          audience: config.audience,
          accessTokenTTL: 8 * 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  async extraTokenClaims(_ctx, token) {
    const found = officer(token.accountId);
    return found ? { [config.roleClaim]: found.role, name: found.name } : undefined;
  },
  // The console is the city's own application: officers are not asked to consent to it.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes ? [...ctx.oidc.requestParamOIDCScopes].join(' ') : 'openid profile');
    grant.addResourceScope(RESOURCE, 'warta');
    await grant.save();
    return grant;
  },
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));
provider.listen(config.port, '127.0.0.1', () => console.log(`warta idp listening on ${config.issuer}`));
