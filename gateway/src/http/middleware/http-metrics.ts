import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../../observability/metrics';
import type { Logger } from '../../observability/logger';

/** Duration and count per route template (never the raw path: ids would explode cardinality). */
export function httpMetrics(metrics: Metrics, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      // a route template, never a raw path (ids would explode cardinality) nor a regex's source
      const template = typeof req.route?.path === 'string' ? req.route.path : req.route?.path ? 'pattern' : undefined;
      const route = template ? `${req.baseUrl}${template}` : res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      const seconds = end(labels);
      metrics.httpRequests.inc(labels);
      logger.http('request', { method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) });
    });
    next();
  };
}
