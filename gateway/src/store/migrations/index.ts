import type { Knex } from 'knex';
import * as m001 from './001_foundation';
import * as m004 from './004_pipeline';
import * as m005 from './005_customer_sync';
import * as m006 from './006_paytrace_mirror';
import * as m007 from './007_links';
import * as m008 from './008_admin';
import * as m009 from './009_recon';
import * as m010 from './010_recon_reference_matches';
import * as m011 from './011_payments_created_at';
import * as m012 from './012_flows_as_data';
import * as m025 from './025_pay_page_receipts_requests';
import * as m040 from './040_mapping_feedback';
import * as m055 from './055_chargebacks';
import * as m056 from './056_recon_chargebacks';
import * as m060 from './060_invoice_links';
import * as m065 from './065_flow_test_samples';
import * as m066 from './066_flow_run_steps';
import * as m067 from './067_flow_test_runs';
import * as m068 from './068_flow_test_run_history';
import * as m069 from './069_flow_run_step_attempts';

/**
 * Migrations are listed here in order instead of being discovered on disk, so they work the
 * same from TypeScript sources, compiled output and jest. Append new ones; never edit old ones.
 */
const migrations: Array<[name: string, migration: Knex.Migration]> = [
  ['001_foundation', m001],
  ['004_pipeline', m004],
  ['005_customer_sync', m005],
  ['006_paytrace_mirror', m006],
  ['007_links', m007],
  ['008_admin', m008],
  ['009_recon', m009],
  ['010_recon_reference_matches', m010],
  ['011_payments_created_at', m011],
  ['012_flows_as_data', m012],
  ['025_pay_page_receipts_requests', m025],
  ['040_mapping_feedback', m040],
  ['055_chargebacks', m055],
  ['056_recon_chargebacks', m056],
  ['060_invoice_links', m060],
  ['065_flow_test_samples', m065],
  ['066_flow_run_steps', m066],
  ['067_flow_test_runs', m067],
  ['068_flow_test_run_history', m068],
  ['069_flow_run_step_attempts', m069],
];

export const migrationSource: Knex.MigrationSource<[string, Knex.Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
