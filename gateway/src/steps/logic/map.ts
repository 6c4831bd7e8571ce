import { z } from 'zod';
import { defineStep } from '../define';

/** Compute named values once (a reference, a scope, a customer number) for the steps after it. */
export const mapStep = defineStep<Record<string, unknown>, Record<string, unknown>>({
  type: 'map',
  title: 'Map',
  summary: 'Compute values from the event and earlier steps; later steps read them as steps.<id>.<name>',
  category: 'logic',
  system: 'none',
  operation: 'map',
  exactlyOnce: 'read-only',
  input: z.record(z.string(), z.unknown()),
  output: z.record(z.string(), z.unknown()),
  async execute(input) {
    return input;
  },
});
