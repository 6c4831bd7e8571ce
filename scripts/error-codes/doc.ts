/** docs/errors.md, rendered from the error code registry (gateway/src/errors/registry.ts). */
import {
  CONCERNS,
  DETAIL_CODES,
  ERROR_CLASSES,
  ERROR_CODE_GROUPS,
  ERROR_CODE_PATTERNS,
  type Concern,
  type DetailCodeInfo,
  type ErrorCodeInfo,
} from '../../gateway/src/errors/registry';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const status = (httpStatus: number | null) => (httpStatus === null ? '–' : String(httpStatus));
const unique = <T>(values: T[]) => [...new Set(values)];

function codeRow(code: string, entry: Pick<ErrorCodeInfo, 'errorClass' | 'httpStatus' | 'meaning' | 'action' | 'variants'>): string {
  const variants = entry.variants ?? [];
  const classes = unique([entry.errorClass, ...variants.map((v) => v.errorClass)]).join(' / ');
  const statuses = unique([entry.httpStatus, ...variants.map((v) => v.httpStatus)].map(status)).join(' / ');
  const also = variants.map((v) => ` — as **${v.errorClass}** (${status(v.httpStatus)}) when ${v.when}`).join('');
  return `| \`${code}\` | ${classes} | ${statuses} | ${cell(entry.meaning + also)} | ${cell(entry.action)} |`;
}

const INTRO = `# Error classes and codes

<!-- Generated from gateway/src/errors/registry.ts by \`npm run docs:errors\`: edit the registry, not this file. -->

Every error the gateway raises on purpose is an \`AppError\` with a **class** — what to do about it —
and a stable **code** — what to look up here. HTTP answers carry both in RFC 9457 problem JSON:

\`\`\`json
{ "type": "urn:m3-paytrace:problem:body-malformed-json", "title": "Malformed JSON body", "status": 400,
  "code": "BODY_MALFORMED_JSON", "errorClass": "business", "detail": "…", "requestId": "…" }
\`\`\`
`;

const AFTER_CLASSES = `Errors from libraries are classified by \`errorClassOf\`: connection errors (\`ECONNREFUSED\`,
\`ECONNRESET\`, \`ETIMEDOUT\`, …), timeouts and PostgreSQL's serialization/connection SQLSTATEs are
\`transient\`; everything else is a \`bug\`.

## Codes

Each code below is registered once in \`gateway/src/errors/registry.ts\`; a test fails when the source
raises a code that is not there. **HTTP** is the status of the answer; \`–\` means the code is raised only
in background work (jobs, start-up, calls the gateway makes): it shows in dead letters, a payment's last
error, the trace and the logs, never in an HTTP answer. Where the same code is raised with another class
or status, the meaning says when.
`;

export function renderErrorsDoc(): string {
  const out: string[] = [INTRO, '| class | meaning | what the queue does |', '|---|---|---|'];
  for (const c of ERROR_CLASSES) out.push(`| \`${c.errorClass}\` | ${cell(c.meaning)} | ${cell(c.queue)} |`);
  out.push('', AFTER_CLASSES);

  const byConcern = new Map<Concern, Array<[string, ErrorCodeInfo]>>();
  for (const group of ERROR_CODE_GROUPS) {
    for (const [code, entry] of Object.entries(group) as Array<[string, ErrorCodeInfo]>) {
      byConcern.set(entry.concern, [...(byConcern.get(entry.concern) ?? []), [code, entry]]);
    }
  }
  for (const [concern, info] of Object.entries(CONCERNS) as Array<[Concern, { title: string; intro?: string; outro?: string }]>) {
    const codes = byConcern.get(concern) ?? [];
    const patterns = ERROR_CODE_PATTERNS.filter((p) => p.concern === concern);
    const details = (Object.entries(DETAIL_CODES) as Array<[string, DetailCodeInfo]>).filter(([, d]) => d.concern === concern);
    if (!codes.length && !patterns.length && !details.length) continue;
    out.push(`### ${info.title}`, '');
    if (info.intro) out.push(info.intro, '');
    out.push('| code | class | HTTP | meaning | what to do |', '|---|---|---|---|---|');
    for (const p of patterns) out.push(codeRow(p.pattern, p));
    for (const [code, entry] of codes) out.push(codeRow(code, entry));
    out.push('');
    for (const parent of unique(details.map(([, d]) => d.parent))) {
      out.push(`| code in \`details.problems\` of \`${parent}\` | meaning | what to do |`, '|---|---|---|');
      for (const [code, d] of details.filter(([, x]) => x.parent === parent)) out.push(`| \`${code}\` | ${cell(d.meaning)} | ${cell(d.action)} |`);
      out.push('');
    }
    if (info.outro) out.push(info.outro, '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
