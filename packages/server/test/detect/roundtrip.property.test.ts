import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { DetectApi, detectVault } from './helpers.js';

/** Personal data the engine finds, injected between random text. */
const PII = [
  'Jane Doe',
  'Mr. Jürgen Müller',
  'jane.doe@example.com',
  '4111 1111 1111 1111',
  '536-22-1234',
  '+44 20 7946 0958',
  'DE89 3704 0044 0532 0130 00',
  '1600 Pennsylvania Ave NW, Washington, DC 20500',
  '2022-03-14',
  '203.0.113.7',
  'https://example.com/x',
  'Initech LLC',
  '42 years old',
];
const FILLER = [
  'my name is',
  'call',
  'at',
  'and',
  'lives in',
  'card',
  'SSN',
  '[NAME_1]',
  '[SSN_zz]',
  '😀',
  'ünïcödé',
  '\n',
  ',',
];

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PII) },
  { weight: 3, arbitrary: fc.constantFrom(...FILLER) },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
);
const textArb = fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(' '));

describe('de-identify with vault tokens, then re-identify, through the server', () => {
  let t: TestServer;
  let api: DetectApi;
  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false } });
    api = new DetectApi(t, await detectVault(t));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('restores the original text', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const d = await api.deidentify(text, { token_type: { default: 'vault_token' } });
        expect(d.status, d.text).toBe(200);
        const r = await api.reidentify(d.body.processed_text);
        expect(r.status, r.text).toBe(200);
        expect(r.body.text).toBe(text);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
