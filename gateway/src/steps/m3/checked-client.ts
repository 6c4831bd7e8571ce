import { AppError } from '../../errors';
import type { M3FieldDictionary } from '../../domain/field-maps';
import type { M3Executor } from '../../infor/m3-programs/executor';
import type { StepEnv } from '../../pipeline/step-contract';
import { restrictedM3, type StepConnectors } from '../define';

/**
 * The M3 client an M3 step gets: only the transactions it declares, and every value checked
 * against the M3 field dictionary (mappings/m3-fields.yaml) before it leaves — type, length, and
 * what to do with a value that is too long (`overflow: truncate` cuts it; `refuse`, the default,
 * stops the run with the field named, never the value, which may be personal data).
 */
export function m3For(connectors: StepConnectors, env: StepEnv<unknown>, allowed: readonly string[]): M3Executor {
  const m3 = restrictedM3(connectors.m3(), allowed);
  const dictionary = env.rules.m3Fields;
  return {
    execute(program, transaction, fields, options) {
      return m3.execute(program, transaction, checkFields(dictionary, `${program}/${transaction}`, fields), { cono: env.scope.cono, divi: env.scope.divi, ...options });
    },
  };
}

export function checkFields(dictionary: M3FieldDictionary, where: string, fields: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const problems: Array<{ field: string; message: string }> = [];
  for (const [name, value] of Object.entries(fields)) {
    const rule = dictionary.fields[name];
    if (value === undefined || value === null || !rule) {
      out[name] = value ?? undefined;
      continue;
    }
    let text = String(value);
    if (rule.type === 'N' && text !== '' && !/^-?\d+(\.\d+)?$/.test(text)) problems.push({ field: name, message: `${rule.description} must be numeric` });
    if (rule.type === 'D' && text !== '' && !/^\d{8}$/.test(text)) problems.push({ field: name, message: `${rule.description} must be a date yyyyMMdd` });
    if (text.length > rule.length) {
      if (rule.overflow === 'truncate') text = text.slice(0, rule.length);
      else problems.push({ field: name, message: `${rule.description} holds ${rule.length} characters, the value has ${text.length}` });
    }
    out[name] = text;
  }
  if (problems.length) {
    throw new AppError(`${where}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { code: 'M3_FIELD_INVALID', errorClass: 'business', details: { transaction: where, fieldErrors: problems } });
  }
  return out;
}
