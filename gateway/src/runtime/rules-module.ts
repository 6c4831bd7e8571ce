import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { RulesError } from '../domain/rules-loader';
import type { GatewayModule } from '../kernel/module';
import { RulesRegistry } from '../pipeline/versions/rules-registry';

/**
 * The rules (mappings/*.yaml) as versions: the folder is read and validated at start-up (a bad file
 * stops the start, naming file:line:column path: problem), imported as a new version when it
 * changed, and the published version is put on `services.rules` — replaced live on every gateway
 * when an admin publishes another. Registered first: everything validates against the rules.
 */
export function rulesModule(options: { dir?: string } = {}): GatewayModule {
  return {
    async start(services) {
      const dir = path.resolve(options.dir ?? services.config.rules.dir);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        throw new RulesError([{ file: dir, path: '', message: `cannot read the rules folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
      }
      const texts = new Map<string, string>();
      for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) texts.set(name, await readFile(path.join(dir, name), 'utf8'));
      const registry = new RulesRegistry(services.db, dir, services.logger);
      await registry.seed(texts);
      services.rules = await registry.refresh();
      registry.onChange((rules) => {
        services.rules = rules;
      });
      registry.listen(services.notifier);
      services.rulesVersions = registry;
      services.logger.info('rules loaded', { dir, version: registry.current.version, files: services.rules.files.map((f) => `${f.file}@v${f.version}`) });
    },
  };
}
