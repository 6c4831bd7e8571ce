import path from 'node:path';
import { AppError } from '../../../gateway/src/errors';
import { loadRules, type Rules } from '../../../gateway/src/domain/rules-loader';

export const MAPPINGS_DIR = path.join(__dirname, '..', '..', '..', 'mappings');

let shipped: Promise<Rules> | undefined;

/** The rules shipped in mappings/, loaded through the real loader once per test file. */
export function shippedRules(): Promise<Rules> {
  shipped ??= loadRules(MAPPINGS_DIR);
  return shipped;
}

/** Run `fn`, expect an AppError, and return it for further assertions. */
export function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`expected an AppError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected an AppError, nothing was thrown');
}
