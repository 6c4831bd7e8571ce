/**
 * Which Node.js runs the gateway, and whether it still gets security fixes.
 *
 * The product is developed and tested on Node 24 LTS (package.json pins the binary npm installs
 * into node_modules/.bin, which npm scripts run); 22 is kept working; older lines are refused.
 */

/** The oldest Node the code runs on: 22.12 is where `require(esm)` is on without a flag. */
export const MINIMUM_NODE = { major: 22, minor: 12 } as const;

/** The release line the product is developed, tested and documented for. */
export const TARGET_NODE_MAJOR = 24;

/**
 * End of security fixes per release line (the Node.js release schedule: an even line is
 * maintained until 30 April three years after its release, an odd line until 1 June after
 * the next even one). A line missing here is newer than this table: not judged.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
  26: '2029-04-30',
};

export interface NodeRuntime {
  /** e.g. v24.22.3 */
  version: string;
  major: number;
  minor: number;
  /** the LTS codename (Krypton for 24), or null for a Current or odd release */
  lts: string | null;
  /** the binary that runs this process */
  execPath: string;
  /** last day of security fixes of this line, when known */
  securityFixesUntil: string | null;
  /** at least MINIMUM_NODE */
  supported: boolean;
}

export function describeNode(versions: { node: string; lts?: string | false; execPath: string } = { node: process.versions.node, lts: process.release.lts, execPath: process.execPath }): NodeRuntime {
  const [major = 0, minor = 0] = versions.node.split('.').map(Number);
  return {
    version: `v${versions.node}`,
    major,
    minor,
    lts: versions.lts || null,
    execPath: versions.execPath,
    securityFixesUntil: NODE_END_OF_LIFE[major] ?? null,
    supported: major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor),
  };
}

/**
 * The runtime as /health reports it (no binary path: /health is public): degraded on a line
 * without security fixes or below the minimum.
 */
export function runtimeHealth(runtime: NodeRuntime = describeNode(), now: Date = new Date()): { status: 'ok' | 'degraded'; reason?: string; node: string; lts: string | null; securityFixesUntil: string | null } {
  const facts = { node: runtime.version, lts: runtime.lts, securityFixesUntil: runtime.securityFixesUntil };
  const line = `Node.js ${runtime.major}`;
  if (!runtime.supported) {
    return { status: 'degraded', reason: `${line} is older than m3-paytrace supports (${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}; developed on ${TARGET_NODE_MAJOR} LTS)`, ...facts };
  }
  if (runtime.securityFixesUntil && now.toISOString().slice(0, 10) > runtime.securityFixesUntil) {
    return { status: 'degraded', reason: `${line} has had no security fixes since ${runtime.securityFixesUntil}: move to Node.js ${TARGET_NODE_MAJOR} LTS`, ...facts };
  }
  return { status: 'ok', ...facts };
}

/**
 * The one line printed when a process starts on a Node that is too old, saying what to run.
 * npm scripts run the Node that `npm install` put in node_modules/.bin (Linux x64 and arm64),
 * so this is seen when that binary is missing (another platform, an install that predates it)
 * or when a file is run with the system `node` directly.
 */
export function tooOldMessage(runtime: NodeRuntime = describeNode()): string {
  return (
    `m3-paytrace needs Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} or later (developed on ${TARGET_NODE_MAJOR} LTS), but ${runtime.execPath} is ${runtime.version}: ` +
    `run it through npm (npm start, npm test), which uses the Node ${TARGET_NODE_MAJOR} that \`npm install\` puts in node_modules/.bin on Linux — run \`npm install\` if it is missing — or install Node ${TARGET_NODE_MAJOR} (\`nvm install\` reads .nvmrc).`
  );
}

/**
 * Stop a process that started on a Node older than the minimum, with one line on stderr.
 * M3PT_ALLOW_UNSUPPORTED_NODE=1 lets it run anyway (for comparing runtimes in benchmarks);
 * /health then reports the runtime degraded.
 */
export function exitUnlessSupportedNode(runtime: NodeRuntime = describeNode()): void {
  if (runtime.supported || process.env.M3PT_ALLOW_UNSUPPORTED_NODE === '1') return;
  process.stderr.write(`${tooOldMessage(runtime)}\n`);
  process.exit(1);
}
