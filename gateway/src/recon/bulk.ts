import type { Knex } from 'knex';

/** a column of a bulk insert: its name and the PostgreSQL array type its values travel as */
export type BulkColumn = readonly [name: string, pgType: 'text' | 'bigint' | 'integer' | 'date' | 'uuid' | 'numeric' | 'boolean'];

/**
 * Insert many rows with one statement per chunk: every column travels as one array parameter and
 * `unnest` turns them back into rows. Tens of thousands of rows cost one round trip, not one each.
 */
export async function bulkInsert(db: Knex | Knex.Transaction, table: string, columns: readonly BulkColumn[], rows: ReadonlyArray<readonly unknown[]>, options: { onConflict?: string; chunk?: number } = {}): Promise<void> {
  const chunk = options.chunk ?? 20_000;
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const arrays = columns.map(([, type]) => `?::${type}[]`).join(', ');
  const sql = `insert into "${table}" (${names}) select * from unnest(${arrays}) ${options.onConflict ?? ''}`;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const values = columns.map((_, c) => part.map((row) => row[c] ?? null));
    await db.raw(sql, values as unknown as readonly Knex.RawBinding[]);
  }
}
