import { z } from 'zod';

/** An M3 customer as the vault sync needs it, from a Sync.CustomerPartyMaster BOD or a CRS610MI read. */
export const customerChangeSchema = z.object({
  cono: z.coerce.number().int().positive(),
  cuno: z.string().trim().min(1).max(10),
  name: z.string().max(200),
  address: z.object({ lines: z.array(z.string()), city: z.string().optional(), region: z.string().optional(), postalCode: z.string().optional(), country: z.string().optional() }),
  email: z.string().optional(),
  phone: z.string().optional(),
  source: z.enum(['ion', 'crs610-pull']),
});
export type CustomerChange = z.output<typeof customerChangeSchema>;

/** A CRS610MI record (LstByNumber / GetBasicData) as a customer change. */
export function changeFromCrs610(cono: number, record: Record<string, string>): CustomerChange {
  return {
    cono,
    cuno: record.CUNO ?? '',
    name: record.CUNM ?? '',
    address: {
      lines: [record.CUA1, record.CUA2, record.CUA3, record.CUA4].filter((l): l is string => Boolean(l)),
      city: record.TOWN || undefined,
      region: record.ECAR || undefined,
      postalCode: record.PONO || undefined,
      country: record.CSCD || undefined,
    },
    email: record.MAIL || undefined,
    phone: record.PHNO || undefined,
    source: 'crs610-pull',
  };
}
