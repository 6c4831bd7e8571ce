import type { Knex } from 'knex';
import type { ClientBase } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { finished } from 'node:stream/promises';

/**
 * Moving 100,000s of rows between the gateway and PostgreSQL: COPY in PostgreSQL's text format
 * (no per-row statement, no JSON to take apart on either side). Inserts that must resolve
 * conflicts cannot use COPY; they send the rows as one jsonb parameter instead.
 */

/** a column of a bulk insert: its name and its PostgreSQL type */
export type BulkColumn = readonly [name: string, pgType: 'text' | 'bigint' | 'integer' | 'date' | 'timestamptz' | 'uuid' | 'numeric' | 'boolean'];

type Db = Knex | Knex.Transaction;

/** a transaction has one connection: what runs on it runs one statement at a time */
export function isTransaction(db: Db): db is Knex.Transaction {
  return (db as Knex.Transaction).isTransaction === true;
}

/** the connection of a transaction (kept), or one from the pool (released after) */
async function withConnection<T>(db: Db, fn: (connection: ClientBase) => Promise<T>): Promise<T> {
  const inTransaction = isTransaction(db);
  const connection = (await db.client.acquireConnection()) as ClientBase;
  try {
    return await fn(connection);
  } finally {
    if (!inTransaction) await db.client.releaseConnection(connection);
  }
}

const SPECIAL = /[\\\t\n\r]/;

/** one value in COPY text format: \N for null, backslash escapes for the separators */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : text;
}

function uncopyText(text: string): string | null {
  if (text === '\\N') return null;
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.)/g, (_all, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

export async function bulkInsert(db: Db, table: string, columns: readonly BulkColumn[], rows: ReadonlyArray<readonly unknown[]>, options: { onConflict?: string } = {}): Promise<void> {
  if (!rows.length) return;
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  if (options.onConflict) {
    const values = columns.map(([, type], i) => (type === 'text' ? `e->>${i}` : `(e->>${i})::${type}`)).join(', ');
    await db.raw(`insert into "${table}" (${names}) select ${values} from jsonb_array_elements(?::jsonb) as e ${options.onConflict}`, [JSON.stringify(rows)]);
    return;
  }
  await withConnection(db, async (connection) => {
    const stream = connection.query(copyFrom(`copy "${table}" (${names}) from stdin`));
    let buffer = '';
    for (const row of rows) {
      let line = copyText(row[0]);
      for (let c = 1; c < row.length; c++) line += '\t' + copyText(row[c]);
      buffer += line + '\n';
      if (buffer.length > 1 << 20) {
        if (!stream.write(buffer)) await new Promise((resolve) => stream.once('drain', resolve));
        buffer = '';
      }
    }
    stream.end(buffer);
    await finished(stream);
  });
}

/**
 * Read many rows as arrays of text (null for NULL) with COPY (select …) TO STDOUT. `select` lists
 * the expressions of one row; `from` is the rest of the query. Bindings are inlined by knex.
 */
export async function selectArrays(db: Db, select: string, from: string, bindings: readonly Knex.RawBinding[]): Promise<Array<Array<string | null>>> {
  const query = db.raw(`select ${select} from ${from}`, bindings).toQuery();
  return withConnection(db, async (connection) => {
    const stream = connection.query(copyTo(`copy (${query}) to stdout`));
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await finished(stream);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return [];
    const lines = text.split('\n');
    lines.pop(); // the text ends with a newline
    return lines.map((line) => {
      const fields: Array<string | null> = line.split('\t');
      for (let i = 0; i < fields.length; i++) fields[i] = uncopyText(fields[i]!); // in place: no second array per row
      return fields;
    });
  });
}
