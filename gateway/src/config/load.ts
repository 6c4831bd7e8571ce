import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type z } from 'zod';
import { configSchema, type Config } from './schema';

/** Environment variables and the configuration key each one sets. */
export const ENV_KEYS: ReadonlyArray<readonly [env: string, key: string]> = [
  ['MODE', 'mode'],
  ['PORT', 'http.port'],
  ['HOST', 'http.host'],
  ['PUBLIC_BASE_URL', 'http.publicBaseUrl'],
  ['BODY_LIMIT_BYTES', 'http.bodyLimitBytes'],
  ['DATABASE_URL', 'database.url'],
  ['DATABASE_POOL_MAX', 'database.poolMax'],
  ['EMBEDDED_PG_DATA_DIR', 'database.embedded.dataDir'],
  ['EMBEDDED_PG_PORT', 'database.embedded.port'],
  ['IONAPI_FILE', 'infor.ionapiFile'],
  ['M3_TIMEOUT_MS', 'infor.m3TimeoutMs'],
  ['INFOR_GRANT', 'infor.grant'],
  ['M3_BASE_URL', 'infor.m3BaseUrl'],
  ['M3_MAX_CONCURRENT_CALLS', 'infor.m3MaxConcurrentCalls'],
  ['M3_CONCURRENCY_SCOPE', 'infor.m3ConcurrencyScope'],
  ['ION_MESSAGING_URL', 'infor.ionMessagingUrl'],
  ['ION_LOGICAL_ID', 'infor.ionLogicalId'],
  ['IMS_AUTH', 'infor.imsAuth'],
  ['INFOR_JWKS_URL', 'infor.jwksUrl'],
  ['PAYTRACE_BASE_URL', 'paytrace.baseUrl'],
  ['PAYTRACE_USERNAME', 'paytrace.username'],
  ['PAYTRACE_PASSWORD', 'paytrace.password'],
  ['PAYTRACE_INTEGRATOR_ID', 'paytrace.integratorId'],
  ['PAYTRACE_TIMEOUT_MS', 'paytrace.timeoutMs'],
  ['QUEUE_RETRY_LIMIT', 'queue.retryLimit'],
  ['QUEUE_RETRY_DELAY_SECONDS', 'queue.retryDelaySeconds'],
  ['ECOMMERCE_WEBHOOK_SECRET', 'ecommerce.webhookSecret'],
  ['RULES_DIR', 'rules.dir'],
  ['POLLER_ENABLED', 'poller.enabled'],
  ['POLLER_INTERVAL_SECONDS', 'poller.intervalSeconds'],
  ['ADMIN_OIDC_ISSUER', 'admin.oidc.issuer'],
  ['ADMIN_OIDC_CLIENT_ID', 'admin.oidc.clientId'],
  ['ADMIN_OIDC_CLIENT_SECRET', 'admin.oidc.clientSecret'],
  ['ADMIN_SESSION_TTL_MINUTES', 'admin.sessionTtlMinutes'],
  ['ADMIN_ALERTS_ENABLED', 'admin.alerts.enabled'],
  ['LINK_TTL_DAYS', 'links.ttlDays'],
  ['LINK_SIGNING_SECRET', 'links.signingSecret'],
  ['MERCHANT_NAME', 'links.merchantName'],
  ['PROTECT_SCRIPT_URL', 'links.protectScriptUrl'],
  ['MAIL_TRANSPORT', 'links.mailTransport'],
  ['SMTP_URL', 'links.smtpUrl'],
  ['MAIL_FROM', 'links.mailFrom'],
  ['LINKS_API_SUITE_KEY', 'links.apiSuiteKey'],
  ['LOG_LEVEL', 'log.level'],
  ['SHUTDOWN_GRACE_MS', 'shutdown.graceMs'],
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function setPath(target: Json, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1]!] = value;
}

function readConfigFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`CONFIG_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  try {
    const parsed: unknown = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed as Json;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`CONFIG_FILE: ${path.basename(file)} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`]);
  }
}

/**
 * Load configuration: the optional config file (CONFIG_FILE, JSON or YAML) first, then
 * environment variables on top. Throws ConfigError whose lines name every bad key, with
 * the environment variable that set it when there is one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Json = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const fromEnv = new Map<string, string>();
  for (const [name, key] of ENV_KEYS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, key, value);
    fromEnv.set(key, name);
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const envName = fromEnv.get(key);
      const where = envName ? `${key} (env ${envName})` : key || '(root)';
      return `${where}: ${issue.message}`;
    }),
  );
}

/** For tests and the sandbox: build a config from a partial object, with the same validation. */
export function buildConfig(input: z.input<typeof configSchema>): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
}
