import { AppError } from '../../errors';
import type { TargetSchema } from '../types';
import { loadBodTarget } from './bod';
import { loadM3Target, type MetadataReader } from './m3';
import { payTraceTarget } from './paytrace';

export { PAYTRACE_OPERATIONS } from './paytrace';

export interface TargetSources {
  /** M3 metadata (MRS001MI): the sandbox simulator's or a tenant's M3; absent → m3: targets are refused */
  m3?: MetadataReader;
  /** folder of the BOD definitions (default ./ion-bods) */
  ionBodsDir?: string;
}

/** `m3:OIS100MI/AddBatchHead`, `paytrace:sale/by_customer`, `bod:CustomerPartyMaster` → the target's fields */
export async function resolveTarget(spec: string, sources: TargetSources): Promise<TargetSchema> {
  const m = /^(m3|paytrace|bod):(.+)$/.exec(spec.trim());
  if (!m) {
    throw new AppError(`"${spec.slice(0, 80)}" is not a target: use m3:PROGRAM/Transaction, paytrace:<operation> or bod:<Noun>`, { code: 'MAPPING_TARGET_INVALID', errorClass: 'business', httpStatus: 400 });
  }
  const [, kind, name] = m;
  if (kind === 'paytrace') return payTraceTarget(name!);
  if (kind === 'bod') return loadBodTarget(name!, sources.ionBodsDir);
  if (!sources.m3) {
    throw new AppError('M3 is not configured (infor.ionapiFile): m3: targets need M3 metadata', { code: 'MAPPING_M3_UNAVAILABLE', errorClass: 'configuration', httpStatus: 503 });
  }
  return loadM3Target(sources.m3, name!);
}
