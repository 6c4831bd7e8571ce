export { Secret, secret } from './secret';
export { configSchema, API_ROLES, type Config, type ConfigInput } from './schema';
export { loadConfig, buildConfig, ConfigError, ENV_KEYS } from './load';
