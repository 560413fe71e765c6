import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DetokenizeRequest,
  generateSignedDataTokensFromCreds,
  InsertRequest,
  LogLevel,
  RedactionType,
  Skyflow,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

/*
 * Signed data tokens end to end: the SDK signs a token with the service account's key, the server
 * verifies it, and the ctx inside it decides a policy — the §4.8 flow a Skyflow user follows.
 */
describe('signed data tokens through the SDK against a real server', () => {
  let f: SdkFixture;
  beforeAll(async () => {
    f = await startSdkFixture();
  });
  afterAll(() => f?.close());

  it("detokenizes signed tokens, and the token's ctx is what the policy reads", async () => {
    const owner = new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url }],
      skyflowCredentials: { path: f.owner.credentialsPath },
      logLevel: LogLevel.OFF,
    });
    const inserted = await owner
      .vault()
      .insert(new InsertRequest('persons', [{ name: 'Grace Hopper', email: 'grace@example.com' }]), {
        returnTokens: true,
      });
    const nameToken = inserted.insertedFields[0]?.name as string;
    expect(nameToken).toBeTruthy();

    // A custom role whose only right is to detokenize for the "billing" purpose.
    const role = await f.t.request('POST', '/v1/roles', {
      body: { roleDefinition: { name: 'billing-agent' }, resource: { ID: f.vaultId, type: 'VAULT' } },
    });
    const policy = await f.t.request('POST', '/v1/policies', {
      body: {
        name: 'billing-detokenize',
        resource: { ID: f.vaultId, type: 'VAULT' },
        ruleParams: [
          {
            name: 'billing',
            ruleExpression:
              "ALLOW DETOKENIZATION WITH REDACTION = PLAIN_TEXT WHERE request.context.purpose == 'billing'",
          },
        ],
        activated: true,
      },
    });
    await f.t.request('POST', '/v1/policies/assign', { body: { ID: policy.body.ID, roleIDs: [role.body.ID] } });
    const agent = await f.serviceAccount('billing-agent', { roleIDs: [role.body.ID] });
    const client = new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url }],
      skyflowCredentials: { credentialsString: agent.credentialsString },
      logLevel: LogLevel.OFF,
    });
    const detokenize = (token: string) =>
      client.vault().detokenize(new DetokenizeRequest([{ token, redactionType: RedactionType.PLAIN_TEXT }]), {
        continueOnError: true,
      });

    // Unsigned, the bearer token carries no context: refused.
    const unsigned = await detokenize(nameToken);
    expect(unsigned.detokenizedFields).toEqual([]);
    expect(unsigned.errors[0]?.error).toMatch(/denied/);

    const [billing] = await generateSignedDataTokensFromCreds(agent.credentialsString, {
      dataTokens: [nameToken],
      ctx: { purpose: 'billing' },
    });
    const allowed = await detokenize(billing!.signedToken);
    expect(allowed.detokenizedFields[0]?.value).toBe('Grace Hopper');

    const [marketing] = await generateSignedDataTokensFromCreds(agent.credentialsString, {
      dataTokens: [nameToken],
      ctx: { purpose: 'marketing' },
    });
    expect((await detokenize(marketing!.signedToken)).errors[0]?.error).toMatch(/denied/);

    // Another account's signature is refused even with the right context.
    const [foreign] = await generateSignedDataTokensFromCreds(f.owner.credentialsString, {
      dataTokens: [nameToken],
      ctx: { purpose: 'billing' },
    });
    expect((await detokenize(foreign!.signedToken)).errors[0]?.error).toMatch(/sub must be the calling/);
  });
});
