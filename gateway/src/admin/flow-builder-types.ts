/**
 * What the flow builder (gateway/ui/src/flows) and its admin API say to each other. Types only:
 * the operator app imports them with `import type`, so server and app cannot drift apart.
 */
import type { SourceProblem } from '../config/yaml-source';
import type { RawStep } from '../pipeline/definitions/schema';
import type { ExactlyOnce, StepCategory, StepSystem } from '../pipeline/step-contract';

export type { RawMapping, RawStep, FlowDefinitionInput } from '../pipeline/definitions/schema';
export type { SourceProblem } from '../config/yaml-source';

/** One row of the flow list (GET /admin/api/flows). */
export interface FlowSummary {
  id: string;
  name: string;
  /** the triggers' claims: `pay-page:charged`, `bod:Sync.Invoice`, … */
  triggers: string[];
  published: { version: number; versionId: string } | null;
  draft: { version: number } | null;
  steps: number;
  /** triggers received since the start of today (in the zone asked for, else UTC) */
  eventsToday: number;
  /** of those, the ones that ended dead (parked) or rejected */
  failuresToday: number;
  /** dead letters of the flow still open */
  openDeadLetters: number;
}

export interface FlowVersionView {
  version: number;
  status: 'draft' | 'published' | 'retired';
  origin: string;
  createdBy: string;
  createdAt: string;
  reason: string | null;
  source: string;
  layout: FlowLayout | null;
}

/**
 * What the builder keeps beside a definition (flow_versions.layout), never inside it: where the
 * admin put each node, and the steps dropped on the canvas but not yet connected (they do not run).
 */
export interface FlowLayout {
  positions: Record<string, { x: number; y: number }>;
  loose?: Array<{ step: RawStep; x: number; y: number }>;
}

/** One input of a step type, for the step panel. */
export interface CatalogueInput {
  name: string;
  required: boolean;
  /** carries money: a decimal string, never number arithmetic */
  money: boolean;
}

/** A step type of the palette (GET /admin/api/flow-catalogue). */
export interface CatalogueStep {
  type: string;
  title: string;
  summary: string;
  category: StepCategory;
  system: StepSystem;
  movesMoney: boolean;
  /** how the effect happens once (with the default config) */
  exactlyOnce: ExactlyOnce;
  exactlyOnceExplained: string;
  inputs: CatalogueInput[];
  /** fields of the output, for the source tree of later steps */
  outputs: string[];
  hasConfig: boolean;
  /** a config the palette starts the step with (what the validator accepts, or close to it) */
  configTemplate?: Record<string, unknown>;
}

export interface CatalogueTrigger {
  type: string;
  title: string;
  /** the event a trigger of this type carries, per option set, for the source tree */
  samples: Array<{ options: Record<string, unknown>; claim: string; event: unknown }>;
}

export interface FlowCatalogue {
  steps: CatalogueStep[];
  triggers: CatalogueTrigger[];
  /** the payments ledger's columns a step may read as `payment.<field>` */
  ledgerFields: string[];
}

/** POST /admin/api/flows/:id/validate and the draft's answer: every problem, with its path. */
export interface FlowValidation {
  valid: boolean;
  problems: SourceProblem[];
}

export interface DraftSaved {
  version: number;
  problems: SourceProblem[];
}

export interface FlowPublished {
  version: number;
  versionId: string;
  warnings: SourceProblem[];
}

/** GET /admin/api/m3-metadata/programs (MRS001MI LstPrograms) */
export interface M3Program {
  program: string;
  description: string;
}

/** GET /admin/api/m3-metadata/programs/:program (MRS001MI LstTransactions) */
export interface M3Transaction {
  transaction: string;
  description: string;
  /** not a Get/Lst/Search/Sel: a write, at-least-once without a lookup */
  writes: boolean;
}

export type { TargetSchema as M3TransactionFields, TargetField as M3Field } from '../mapping-assistant/types';
