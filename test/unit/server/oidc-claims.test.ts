/**
 * What the hub makes of an identity provider's claims (decideUser), and hub.api.oidc as `cgic
 * validate` checks it: the MFA rule (amr or acr), roles through roleMap or by name, exactly one role,
 * an agency user's ORI among the configured agencies, dotted claim paths; the client secret only as a
 * reference, the provider and the callback over https (http on loopback only), defaults filled in.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadHubConfig, type OidcConfig } from '../../../src/config/hub-config.ts';
import { ConfigProblems } from '../../../src/config/problems.ts';
import { HubError } from '../../../src/errors/hub-error.ts';
import { decideUser, mfaAsserted } from '../../../src/server/oidc.ts';

const BASE: OidcConfig = {
  issuer: 'https://id.example.gov',
  clientId: 'cgic',
  redirectUrl: 'https://cgic.example.gov/console/auth/callback',
  scopes: ['openid'],
  providerName: 'CT State ID',
  claims: { role: 'groups', agency: 'ori', name: 'name' },
  roleMap: { 'CGIC-Admins': 'admin', 'CGIC-Investigators': 'agency' },
  requireMfa: true,
  mfa: { amr: ['mfa', 'otp', 'hwk', 'sc'], acr: [] },
};
const AGENCIES = new Set(['CT0006400']);
const decide = (claims: Record<string, unknown>, cfg: Partial<OidcConfig> = {}) => decideUser({ sub: 'u1', name: 'Sam', ...claims }, { ...BASE, ...cfg }, 'https://id.example.gov', AGENCIES);
const codeOf = (r: ReturnType<typeof decide>) => (r instanceof HubError ? `${r.code}: ${r.message}` : r);

describe('decideUser', () => {
  it('an investigator with a second factor: agency role with their ORI, amr kept', () => {
    expect(decide({ amr: ['pwd', 'mfa'], groups: ['CGIC-Investigators', 'All-Staff'], ori: 'CT0006400' })).toEqual({ sub: 'u1', issuer: 'https://id.example.gov', name: 'Sam', role: 'agency', ori: 'CT0006400', amr: ['pwd', 'mfa'] });
  });

  it('MFA: amr with a listed method, or acr in the list; else refused naming what was said and what is needed', () => {
    expect(mfaAsserted({ amr: ['pwd', 'hwk'] }, BASE)).toBe(true);
    expect(mfaAsserted({ amr: 'otp' }, BASE)).toBe(true);
    expect(mfaAsserted({ amr: ['pwd'], acr: 'gold' }, BASE)).toBe(false);
    expect(mfaAsserted({ amr: ['pwd'], acr: 'gold' }, { ...BASE, mfa: { amr: [], acr: ['gold'] } })).toBe(true);
    expect(codeOf(decide({ amr: ['pwd'], groups: ['CGIC-Admins'] }))).toBe(
      'HUB_ERR_AUTH_MFA_REQUIRED: The identity provider did not assert multi-factor authentication for Sam: it said amr [pwd], acr absent; the hub needs amr with one of mfa, otp, hwk, sc',
    );
    expect(codeOf(decide({ groups: ['CGIC-Admins'] }, { requireMfa: false }))).toMatchObject({ role: 'admin' });
  });

  it('roles: through roleMap (other values ignored), or the role name itself without one; none or several refused', () => {
    expect(codeOf(decide({ amr: ['mfa'], groups: ['Parking'] }))).toBe('HUB_ERR_AUTH_ROLE: The identity provider signed in Sam, but the hub cannot tell what they may see: the claim groups holds "Parking", which gives no hub role (known: CGIC-Admins, CGIC-Investigators)');
    expect(codeOf(decide({ amr: ['mfa'] }))).toMatch(/the claim groups holds nothing/);
    expect(codeOf(decide({ amr: ['mfa'], groups: ['CGIC-Admins', 'CGIC-Investigators'], ori: 'CT0006400' }))).toMatch(/gives several hub roles \(admin, agency\); a user has one/);
    expect(codeOf(decide({ amr: ['mfa'], role: 'analyst' }, { roleMap: undefined, claims: { role: 'role', agency: 'ori', name: 'name' } }))).toMatchObject({ role: 'analyst' });
    expect(codeOf(decide({ amr: ['mfa'], role: 'superuser' }, { roleMap: undefined, claims: { role: 'role', agency: 'ori', name: 'name' } }))).toMatch(/must be one of admin, analyst, agency, auditor/);
  });

  it("an agency user needs a configured agency's ORI", () => {
    expect(codeOf(decide({ amr: ['mfa'], groups: ['CGIC-Investigators'] }))).toMatch(/needs the ORI of their agency in the claim ori, which is absent/);
    expect(codeOf(decide({ amr: ['mfa'], groups: ['CGIC-Investigators'], ori: 'CT9999900' }))).toMatch(/names agency "CT9999900", which is not configured in this hub/);
  });

  it("an auditor with an agency claim is that agency's auditor (its ORI kept, a configured one); without one, the state's; an admin's claim is ignored", () => {
    const cfg = { roleMap: { ...BASE.roleMap, 'CGIC-Auditors': 'auditor' as const } };
    expect(decide({ amr: ['mfa'], groups: ['CGIC-Auditors'], ori: 'CT0006400' }, cfg)).toMatchObject({ role: 'auditor', ori: 'CT0006400' });
    expect(decide({ amr: ['mfa'], groups: ['CGIC-Auditors'] }, cfg)).not.toHaveProperty('ori');
    expect(decide({ amr: ['mfa'], groups: ['CGIC-Auditors'], ori: '' }, cfg)).not.toHaveProperty('ori');
    // A claim the hub cannot take as one configured agency is refused, never read as "every agency".
    expect(codeOf(decide({ amr: ['mfa'], groups: ['CGIC-Auditors'], ori: 'CT9999900' }, cfg))).toMatch(/^HUB_ERR_AUTH_ROLE: .*names agency "CT9999900", which is not configured in this hub/);
    expect(codeOf(decide({ amr: ['mfa'], groups: ['CGIC-Auditors'], ori: ['CT0006400', 'CT0009300'] }, cfg))).toMatch(/^HUB_ERR_AUTH_ROLE: .*the claim ori holds a list, not the ORI of one agency/);
    expect(decide({ amr: ['mfa'], groups: ['CGIC-Admins'], ori: 'CT0006400' })).not.toHaveProperty('ori');
  });

  it('reads nested claims by dotted path (Keycloak realm roles)', () => {
    expect(codeOf(decide({ amr: ['mfa'], realm_access: { roles: ['offline_access', 'CGIC-Admins'] } }, { claims: { role: 'realm_access.roles', agency: 'ori', name: 'name' } }))).toMatchObject({ role: 'admin' });
  });
});

describe('hub.api.oidc in the configuration', () => {
  const load = async (oidc: Record<string, unknown>) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cgic-oidc-'));
    const file = path.join(dir, 'cgic.yaml');
    writeFileSync(file, stringify({ hub: { api: { oidc } }, agencies: [{ ori: 'CT0006400', name: 'Hartford' }], connectors: [] }));
    return loadHubConfig(file).then(
      (cfg) => cfg,
      (e: unknown) => (e as ConfigProblems).problems.map((p) => `${p.pointer} ${p.message}`),
    );
  };

  it('fills in the defaults: MFA required (amr mfa, otp, hwk, sc), claims cgic_role and cgic_ori, sessions of 30 min idle and 12 h', async () => {
    const cfg = await load({ issuer: 'https://id.example.gov', clientId: 'cgic', clientSecret: '${env:CGIC_OIDC_SECRET}', redirectUrl: 'https://cgic.example.gov/console/auth/callback' });
    expect(Array.isArray(cfg)).toBe(false);
    const c = cfg as Awaited<ReturnType<typeof loadHubConfig>>;
    expect(c.hub.api.oidc).toMatchObject({ requireMfa: true, mfa: { amr: ['mfa', 'otp', 'hwk', 'sc'], acr: [] }, claims: { role: 'cgic_role', agency: 'cgic_ori', name: 'name' }, scopes: ['openid', 'profile', 'email'] });
    expect(c.hub.api.sessions).toEqual({ idleMinutes: 30, maxHours: 12 });
  });

  it('refuses an inline client secret, a plain-http provider off loopback, a callback elsewhere', async () => {
    expect(await load({ issuer: 'http://id.example.gov', clientId: 'cgic', clientSecret: 'hunter2', redirectUrl: 'https://cgic.example.gov/console/auth/callback' })).toEqual([
      '/hub/api/oidc/issuer issuer http://id.example.gov is not https',
      '/hub/api/oidc/clientSecret inline secret in hub.api.oidc.clientSecret',
    ]);
    expect(await load({ issuer: 'http://127.0.0.1:9000', clientId: 'cgic', redirectUrl: 'http://127.0.0.1:8080/console/auth/callback' })).not.toBeInstanceOf(Array);
    const wrong = await load({ issuer: 'https://id.example.gov', clientId: 'cgic', redirectUrl: 'https://cgic.example.gov/callback' });
    expect(wrong).toEqual([expect.stringMatching(/^\/hub\/api\/oidc\/redirectUrl /)]);
  });
});
