/**
 * Validation of the JWT ACS puts on Call Automation callbacks and on the media WebSocket upgrade
 * (`Authorization: Bearer <JWT>`): RS256, issuer `https://acscallautomation.communication.azure.com`,
 * audience = the ACS resource's immutable id, `exp`/`nbf` with 60 s leeway, keys from the published
 * JWKS (`…/calling/keys`). Source: MicrosoftDocs azure-docs `how-tos/call-automation/secure-webhook-endpoint.md`
 * and `includes/secure-websocket-js.md`. Uses `jose` (maintained JOSE library), loaded lazily.
 */

/** Issuer of ACS Call Automation tokens. */
export const ACS_ISSUER = 'https://acscallautomation.communication.azure.com';
/** Published JWKS of ACS Call Automation. */
export const ACS_JWKS_URL = 'https://acscallautomation.communication.azure.com/calling/keys';

/** Options for {@link createAcsJwtValidator}. */
export interface AcsJwtOptions {
  /** The ACS resource's immutable id (the expected `aud`). */
  audience: string;
  /** JWKS URL (default {@link ACS_JWKS_URL}). */
  jwksUrl?: string;
  /** Expected issuer (default {@link ACS_ISSUER}). */
  issuer?: string;
  /** fetch used for the JWKS (default global fetch). */
  fetch?: typeof fetch;
  /** Clock tolerance in seconds (default 60). */
  leewaySeconds?: number;
}

/** The result of a check: ok, or a reason safe to log (never the token). */
export type JwtCheck = { ok: true; subject?: string } | { ok: false; reason: string };

/** Checks a bearer token; never throws. */
export type AcsJwtValidator = (authorization: string | undefined) => Promise<JwtCheck>;

/** Build a validator; JWKS keys are fetched on first use and cached by jose. */
export function createAcsJwtValidator(options: AcsJwtOptions): AcsJwtValidator {
  let verifier: Promise<(token: string) => Promise<{ sub?: string }>> | undefined;
  const load = async (): Promise<(token: string) => Promise<{ sub?: string }>> => {
    const jose = await import('jose');
    const fetchImpl = options.fetch;
    const jwks = jose.createRemoteJWKSet(new URL(options.jwksUrl ?? ACS_JWKS_URL), {
      ...(fetchImpl ? { [jose.customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}),
    });
    return async (token) => {
      const { payload } = await jose.jwtVerify(token, jwks, {
        issuer: options.issuer ?? ACS_ISSUER,
        audience: options.audience,
        algorithms: ['RS256'],
        clockTolerance: options.leewaySeconds ?? 60,
        requiredClaims: ['exp'],
      });
      return payload.sub === undefined ? {} : { sub: payload.sub };
    };
  };
  return async (authorization) => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!m) return { ok: false, reason: 'no ACS bearer token' };
    try {
      verifier ??= load();
      const verify = await verifier;
      const r = await verify(m[1]!);
      return r.sub === undefined ? { ok: true } : { ok: true, subject: r.sub };
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { ok: false, reason: `ACS token rejected (${code ?? (err as Error).name}: ${(err as Error).message})` };
    }
  };
}
