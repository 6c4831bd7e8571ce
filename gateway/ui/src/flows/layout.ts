/**
 * Auto-layout of a flow with elkjs (layered, top to bottom), on the main thread: a 200-step flow
 * lays out in well under 100 ms with the placement used for large flows (bench/ui/flow-canvas.bench.ts),
 * so a web worker (its start and the copy of the graph) would not pay for itself.
 * Positions the admin moved win over these (they are kept in the version's layout).
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphEdge, GraphNode } from './model';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 72;

/** above this many nodes the layout trades some evenness for speed */
const LARGE = 80;

let elk: InstanceType<typeof ELK> | undefined;

export async function autoLayout(nodes: GraphNode[], edges: GraphEdge[]): Promise<Map<string, { x: number; y: number }>> {
  elk ??= new ELK();
  const placed = nodes.filter((n) => !n.loose);
  const ids = new Set(placed.map((n) => n.id));
  const started = performance.now();
  const result = await elk.layout({
    id: 'flow',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      // large flows: the simple placement, 3–5× faster than Brandes-Köpf on 200 steps (measured)
      ...(placed.length > LARGE ? { 'elk.layered.nodePlacement.strategy': 'SIMPLE', 'elk.layered.thoroughness': '1' } : { 'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF' }),
    },
    children: placed.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  performance.measure('flow-layout', { start: started, end: performance.now() });
  return new Map((result.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
