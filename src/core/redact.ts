/**
 * Redaction of secrets from anything that reaches output, logs, errors or the audit log.
 *
 * Two layers: (1) structural — a URL's password and secret-looking query parameters are replaced by
 * `***` wherever a URL appears in text; (2) by value — every secret dbward has seen (a URL's password,
 * a key, a token) is registered here and replaced wherever it appears, in any encoding we produce.
 */
export const REDACTED = '***';

const SECRET_PARAM = /^(password|pass|pwd|passwd|sslpassword|secret|token|access_token|auth_token|api_key|apikey|key|private_key|signature|sig|credential|credentials|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

/** Secrets shorter than this are only redacted structurally: replacing a 2-letter string everywhere would garble all output. */
const MIN_SECRET_LENGTH = 3;

const knownSecrets = new Set<string>();

/** Remember a secret value so that it is replaced in every text passed through redactText. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  for (const form of secretForms(value)) knownSecrets.add(form);
}

function secretForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), encodeURI(value), JSON.stringify(value).slice(1, -1)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

// scheme://user:password@  — the password runs to the last '@' before the host part.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"]*):([^\s@'"]*)@/gi;
// ?key=value or &key=value
const QUERY_PARAM = /([?&;])([A-Za-z0-9_.-]+)=([^&\s#'"]*)/g;
// key=value pairs in libpq/option-file style text: password=..., PGPASSWORD=... ("password: YES" in
// MySQL's "using password: YES" is not one).
const ASSIGNMENT = /\b(password|passwd|pgpassword|mysql_pwd|sslpassword|secret|token)(\s*=\s*)("[^"]*"|'[^']*'|[^\s,;&'"]+)/gi;

/** Replace every known secret and every structurally recognisable secret in free text. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  out = out.replace(USERINFO, (_m, scheme: string, user: string, pass: string) =>
    pass === REDACTED || pass === '' ? `${scheme}${user}${pass ? ':' + pass : ''}@` : `${scheme}${user}:${REDACTED}@`,
  );
  out = out.replace(QUERY_PARAM, (m, sep: string, name: string) => (isSecretParam(name) ? `${sep}${name}=${REDACTED}` : m));
  out = out.replace(ASSIGNMENT, (_m, name: string, eq: string) => `${name}${eq}${REDACTED}`);
  return out;
}

/** Deep-redact a JSON-able value: strings are redacted, and values under secret-looking keys are replaced. */
export function redactValue<T>(value: T): T {
  return redactDeep(value) as T;
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSecretParam(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactDeep(v);
    }
    return out;
  }
  return value;
}
