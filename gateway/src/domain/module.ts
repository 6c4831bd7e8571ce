import path from 'node:path';
import type { GatewayModule } from '../kernel/module';
import { loadRules } from './rules-loader';

/**
 * Loads and validates mappings/*.yaml at start-up and puts them on `services.rules`. Registered
 * first: a bad rules file stops the start (RulesError names file:line path: problem) before any
 * flow or poller runs with half-valid rules.
 */
export function rulesModule(options: { dir?: string } = {}): GatewayModule {
  return {
    async start(services) {
      const dir = path.resolve(options.dir ?? services.config.rules.dir);
      const rules = await loadRules(dir);
      services.rules = rules;
      services.logger.info('rules loaded', { dir, files: rules.files.map((f) => `${f.file}@v${f.version}`) });
    },
  };
}
