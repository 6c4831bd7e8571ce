import { rmSync } from 'node:fs';
import type { EmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const handle = (globalThis as Record<string, unknown>).__M3PT_TEST_PG__ as { server: EmbeddedPostgres; parent: string } | undefined;
  if (!handle) return;
  await handle.server.stop();
  rmSync(handle.parent, { recursive: true, force: true });
}
