import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { ADMIN_GROUP, GROUPS_CLAIM, TENANT_CLAIM } from '#shared/http/auth';
import type { Role } from '#shared/http/types';

/**
 * Dev tokens shaped like Cognito ID tokens (RS256, `custom:tenantId`, `cognito:groups`), verified
 * the way API Gateway's JWT authorizer verifies them: signature, issuer, audience and expiry.
 * The key pair is made once and kept in the git-ignored data folder.
 */
export const DEV_ISSUER = 'https://local.crm.dev/dev-user-pool';
export const DEV_AUDIENCE = 'crm-local-client';
const ALG = 'RS256';

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

export class DevAuth {
  private constructor(private readonly keys: KeyFile) {}

  /** Loads the key pair from `keyFile`, creating it on first use. */
  static async load(keyFile: string): Promise<DevAuth> {
    if (existsSync(keyFile)) return new DevAuth(JSON.parse(readFileSync(keyFile, 'utf8')) as KeyFile);
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const keys = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(keys), { mode: 0o600 });
    return new DevAuth(keys);
  }

  async sign(options: { tenantId: string; role: Role; sub?: string; email?: string; expiresIn?: string }): Promise<string> {
    const key = await importJWK(this.keys.privateJwk, ALG);
    const groups = options.role === 'admin' ? [ADMIN_GROUP] : ['agents'];
    return new SignJWT({
      [TENANT_CLAIM]: options.tenantId,
      [GROUPS_CLAIM]: groups,
      token_use: 'id',
      email: options.email ?? `${options.role}@${options.tenantId}.example`,
    })
      .setProtectedHeader({ alg: ALG, kid: 'dev' })
      .setSubject(options.sub ?? `${options.tenantId}-${options.role}`)
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '12h')
      .sign(key);
  }

  /**
   * Verifies a bearer token and returns its claims as API Gateway hands them to the function:
   * every value a string, arrays as `[a b]`. Throws when the token is not valid.
   */
  async verify(token: string): Promise<Record<string, string>> {
    const key = await importJWK(this.keys.publicJwk, ALG);
    const { payload } = await jwtVerify(token, key, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: [ALG] });
    return asGatewayClaims(payload);
  }
}

export function asGatewayClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}
