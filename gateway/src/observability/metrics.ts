import client from 'prom-client';

/**
 * One registry per gateway instance (tests start several in one process).
 * Label sets stay low-cardinality: never business ids in labels.
 */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'm3pt_' });

  const httpDuration = new client.Histogram({
    name: 'm3pt_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpRequests = new client.Counter({
    name: 'm3pt_http_requests_total',
    help: 'HTTP requests by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const jobs = new client.Counter({
    name: 'm3pt_jobs_total',
    help: 'Queue jobs handled, by queue and outcome (completed, retry, dead_lettered)',
    labelNames: ['queue', 'outcome', 'error_class'] as const,
    registers: [registry],
  });
  const deadLetters = new client.Gauge({
    name: 'm3pt_dead_letters_open',
    help: 'Dead letters waiting for an operator',
    registers: [registry],
  });
  return { registry, httpDuration, httpRequests, jobs, deadLetters };
}

export type Metrics = ReturnType<typeof createMetrics>;
