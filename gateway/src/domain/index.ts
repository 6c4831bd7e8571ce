/** Pure business rules (money, currency, status map, GL, matching, address, chargebacks) and their loader. */
export * from './money';
export * from './currency';
export * from './status-map';
export * from './gl';
export * from './matching';
export * from './address';
export * from './chargeback';
export * from './field-maps';
export * from './rules-loader';
