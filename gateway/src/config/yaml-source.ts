import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/**
 * YAML files that people edit (rules, flow definitions) are parsed keeping positions, so every
 * problem can be reported as `file:line:column path: message`.
 */

export interface SourceProblem {
  file: string;
  /** dotted path inside the file ('' for the whole file) */
  path: string;
  line?: number;
  column?: number;
  message: string;
  severity?: 'error' | 'warning';
}

export function formatProblem(p: SourceProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}${p.path ? ` ${p.path}` : ''}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** A parsed YAML document that can answer where a path is. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly counter: LineCounter,
  ) {}

  /** Parse; YAML syntax errors come back as problems (no document then). */
  static parse(file: string, text: string): { source?: YamlSource; data?: unknown; problems: SourceProblem[] } {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
    const problems: SourceProblem[] = doc.errors.map((err) => {
      const pos = err.linePos?.[0];
      return { file, path: '', line: pos?.line, column: pos?.col, message: `YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
    });
    if (problems.length) return { problems };
    return { source: new YamlSource(file, doc, counter), data: doc.toJS({ maxAliasCount: 50 }), problems };
  }

  /** The node at a path; for a missing key, the nearest node that exists (its parent). */
  private nodeAt(pathParts: ReadonlyArray<PropertyKey>): Node | undefined {
    let node: unknown = this.doc.contents;
    let found = node as Node | undefined;
    for (const part of pathParts) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part));
        if (!pair) break;
        // point at the value, or at the key when the value is empty
        node = pair.value ?? pair.key;
      } else if (isSeq(node)) {
        const item = node.items[Number(part)];
        if (item === undefined) break;
        node = item;
      } else break;
      found = node as Node;
    }
    return found;
  }

  /** line and column (1-based) of a path; `offset` moves inside a one-line scalar (an expression's error position). */
  locate(pathParts: ReadonlyArray<PropertyKey>, offset?: number): { line?: number; column?: number } {
    const node = this.nodeAt(pathParts);
    const range = node?.range;
    if (!range) return {};
    const pos = this.counter.linePos(range[0]);
    if (offset === undefined || !isScalar(node)) return { line: pos.line, column: pos.col };
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    const end = this.counter.linePos(range[1]);
    // only exact on one-line scalars; a folded one points at its start
    return end.line === pos.line ? { line: pos.line, column: pos.col + quoted + Math.max(0, offset - 1) } : { line: pos.line, column: pos.col };
  }

  problem(pathParts: ReadonlyArray<PropertyKey>, message: string, options: { offset?: number; severity?: 'error' | 'warning' } = {}): SourceProblem {
    return { file: this.file, path: pathParts.map(String).join('.'), ...this.locate(pathParts, options.offset), message, ...(options.severity === 'warning' ? { severity: 'warning' as const } : {}) };
  }
}

/** zod issues as problems at their place in the file. */
export function schemaProblems(source: YamlSource, error: z.ZodError): SourceProblem[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelled?)`;
    if (issue.code === 'invalid_type' && issue.input === undefined) message = `is required (${issue.message})`;
    return source.problem(issue.path, message);
  });
}
