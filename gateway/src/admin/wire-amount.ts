/** numeric(19,4) from PostgreSQL → the wire's 2 decimals, when the extra digits are zeros (exact, no float) */
export function twoDecimals(amount: string): string {
  const m = /^(-?\d+)\.(\d{2})(\d*)$/.exec(amount);
  return m && /^0*$/.test(m[3]!) ? `${m[1]}.${m[2]}` : amount;
}
