-- The peers' result table: what each peer workflow records in PostgreSQL for one storefront
-- notification (the gateway records the same in its ledger, payments + payment_events).
create table if not exists peer_payments (
  webhook_id text primary key,
  order_id text not null unique,
  amount text not null,
  status text not null,
  error text,
  cuno text,
  orno text,
  gl_key text,
  received_at timestamptz not null default now(),
  finished_at timestamptz
);
