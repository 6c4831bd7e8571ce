/** Operator roles, each including the ones before it. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function hasRole(granted: readonly string[], needed: Role): boolean {
  const rank = ROLES.indexOf(needed);
  return granted.some((r) => ROLES.indexOf(r as Role) >= rank);
}

/** Our roles from the IdP's claim value (a list or one string), through the configured name map. */
export function rolesFromClaim(claim: unknown, roleMap: Record<string, Role>): Role[] {
  const names = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const out = new Set<Role>();
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const role = roleMap[name];
    if (role) out.add(role);
  }
  return ROLES.filter((r) => out.has(r));
}
