import type { Express } from 'express';
import type { GatewayServices } from './services';

/** Routes contributed by a concern (ION endpoints, payment links, admin, …). */
export type RouteMount = (app: Express, services: GatewayServices) => void;

/**
 * What a concern plugs into a gateway. Connectors, flows, links, recon and admin are modules; the
 * kernel knows none of them, only this contract.
 */
export interface GatewayModule {
  /** HTTP routes this concern adds */
  routes?: RouteMount;
  /** queues, pollers, schedules: called after migrations, before the queue starts */
  start?: (services: GatewayServices) => Promise<void>;
  /** called first on shutdown, before the queue drains (stop pollers, timers) */
  stop?: () => Promise<void>;
  /** called after the queue has drained, before the pool closes (revoke tokens, close clients) */
  close?: () => Promise<void>;
}
