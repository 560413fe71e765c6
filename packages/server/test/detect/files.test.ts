import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../data-api/helpers.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { documentFile, readDocument, readWorkbook, workbook } from './documents.js';
import { DetectApi, detectVault, tokenWithRole, VAULT_PLACEHOLDER } from './helpers.js';

const VAULT = { token_type: { default: 'vault_token' } };
const PEOPLE = [
  { name: 'Jane Doe', email: 'jane.doe@example.com', ssn: '536-22-1234' },
  { name: 'John Smith', email: 'john.smith@example.org', ssn: '219-09-9999' },
];

const TEXT = `Patient notes\n\nJane Doe (jane.doe@example.com) called on 2022-03-14.\nHer SSN is 536-22-1234; John Smith was with her.\n`;
const CSV = `name,email,ssn,visits\n${PEOPLE.map((p) => `${p.name},${p.email},${p.ssn},3`).join('\n')}\n`;
const JSON_DOC = {
  clinic: 'North',
  patients: PEOPLE.map((p, i) => ({
    id: i + 1,
    contact: { email: p.email },
    note: `${p.name}, SSN ${p.ssn}`,
    active: true,
  })),
};
const XML = `<?xml version="1.0" encoding="UTF-8"?>\n<patients>\n  <patient id="1" email="jane.doe@example.com">\n    <note>Jane Doe, SSN 536-22-1234</note>\n  </patient>\n  <!-- reviewed -->\n  <patient id="2" email="john.smith@example.org">\n    <note>John Smith, SSN 219-09-9999</note>\n  </patient>\n</patients>\n`;

for (const store of ['sqlite', 'postgres'] as const) {
  describe.skipIf(store === 'postgres' && !(await postgresAvailable()))(`Detect files (${store})`, () => {
    let t: TestServer;
    let vaultId: string;
    let api: DetectApi;

    beforeAll(async () => {
      t = await startTestServer({ store, config: { demo: false } });
      vaultId = await detectVault(t);
      api = new DetectApi(t, vaultId);
    });
    afterAll(async () => {
      await t?.close();
    });

    const expectNoPii = (text: string) => {
      for (const p of PEOPLE) {
        expect(text).not.toContain(p.email);
        expect(text).not.toContain(p.ssn);
      }
    };

    describe('round trips (de-identify with vault tokens, then re-identify)', () => {
      it('txt: byte for byte', async () => {
        const { output, entities, run } = await api.deidentifyFile('file/text', TEXT, 'txt', VAULT);
        const processed = output.toString('utf8');
        expectNoPii(processed);
        expect(processed.split('\n')).toHaveLength(TEXT.split('\n').length);
        expect([...processed.matchAll(VAULT_PLACEHOLDER)].length).toBeGreaterThanOrEqual(5);
        expect(entities.map((e: any) => e.value)).toEqual(
          expect.arrayContaining(['Jane Doe', 'jane.doe@example.com', '536-22-1234', 'John Smith']),
        );
        expect(run.output[0].processedFileType).toBe('redacted_text');
        expect((await api.reidentifyFile(output, 'txt')).toString('utf8')).toBe(TEXT);
      });

      it('csv: same rows and columns, header kept, byte for byte back', async () => {
        const { output, run } = await api.deidentifyFile('file/spreadsheet', CSV, 'csv', VAULT);
        const processed = output.toString('utf8');
        expectNoPii(processed);
        const rows = processed.trimEnd().split('\n');
        expect(rows[0]).toBe('name,email,ssn,visits');
        expect(rows).toHaveLength(3);
        for (const row of rows.slice(1)) expect(row.endsWith(',3')).toBe(true);
        expect(run.output[0]).toMatchObject({ processedFileType: 'redacted_file', processedFileExtension: 'csv' });
        expect((await api.reidentifyFile(output, 'csv')).toString('utf8')).toBe(CSV);
      });

      it('json: same shape, only strings changed, the same document back', async () => {
        const input = JSON.stringify(JSON_DOC, null, 2);
        const { output } = await api.deidentifyFile('file/structured_text', input, 'json', VAULT);
        const processed = JSON.parse(output.toString('utf8'));
        expectNoPii(output.toString('utf8'));
        expect(processed.clinic).toBe('North');
        expect(processed.patients.map((p: any) => [p.id, p.active, Object.keys(p)])).toEqual(
          JSON_DOC.patients.map((p) => [p.id, p.active, Object.keys(p)]),
        );
        expect(JSON.parse((await api.reidentifyFile(output, 'json')).toString('utf8'))).toEqual(JSON_DOC);
      });

      it('xml: elements, attributes and comments kept, the same document back', async () => {
        const { output } = await api.deidentifyFile('file/structured_text', XML, 'xml', VAULT);
        const processed = output.toString('utf8');
        expectNoPii(processed);
        expect(processed.match(/<patient /g)).toHaveLength(2);
        expect(processed).toContain('<!-- reviewed -->');
        expect(processed).toMatch(/<patient id="1" email="\[EMAIL_ADDRESS_[0-9a-f-]{36}\]">/);
        const back = (await api.reidentifyFile(output, 'xml')).toString('utf8');
        const normalise = (xml: string) => xml.replace(/\s+/g, ' ').trim();
        expect(normalise(back)).toBe(normalise(XML));
      });

      it('xlsx: string cells de-identified, numbers and sheets kept', async () => {
        const input = await workbook({
          Patients: [['name', 'email', 'visits'], ...PEOPLE.map((p) => [p.name, p.email, 3])],
          Notes: [[`Call ${PEOPLE[0]?.name} on 536-22-1234`]],
        });
        const { output, entities } = await api.deidentifyFile('file/spreadsheet', input, 'xlsx');
        const sheets = await readWorkbook(output);
        expect(Object.keys(sheets)).toEqual(['Patients', 'Notes']);
        expect(sheets.Patients?.[0]).toEqual(['name', 'email', 'visits']);
        expect(sheets.Patients?.[1]?.[2]).toBe(3);
        expect(sheets.Patients?.[1]?.[1]).toBe('[EMAIL_ADDRESS_1]');
        expectNoPii(JSON.stringify(sheets));
        expect(entities.length).toBeGreaterThanOrEqual(5);
      });

      it('docx: paragraphs and formatting kept, text de-identified', async () => {
        const input = documentFile([
          ['the referral letter'],
          ['Patient ', 'Jane Doe', ' (jane.doe@', 'example.com) is referred.'],
          ['SSN: 536-22-1234'],
        ]);
        const { output } = await api.deidentifyFile('file/document', input, 'docx');
        const paragraphs = readDocument(output);
        expect(paragraphs.map((p) => p.text)).toEqual([
          'the referral letter',
          'Patient [NAME_1] ([EMAIL_ADDRESS_1]) is referred.',
          'SSN: [SSN_1]',
        ]);
        expect(paragraphs[1]?.bold).toBeGreaterThan(0);
      });
    });

    describe('runs (§6.5)', () => {
      it('answers camelCase with an UPPERCASE status, the file first and the entities as JSON', async () => {
        const started = await api.startRun('file/text', 'Write to jane@example.com.', 'txt');
        expectOk(started);
        expect(Object.keys(started.body)).toEqual(['run_id']);
        const run = await api.finished(started.body.run_id);
        expect(run).toEqual({
          runId: started.body.run_id,
          status: 'SUCCESS',
          outputType: 'BASE64',
          output: [
            { processedFile: expect.any(String), processedFileType: 'redacted_text', processedFileExtension: 'txt' },
            { processedFile: expect.any(String), processedFileType: 'entities', processedFileExtension: 'json' },
          ],
          message: '',
          size: expect.any(Number),
          wordCharacterCount: { wordCount: 3, characterCount: 26 },
          progress: { done: expect.any(Number), total: expect.any(Number) },
        });
        expect(run.progress.done).toBe(run.progress.total);
        expect(Buffer.from(run.output[0].processedFile, 'base64').toString()).toBe('Write to [EMAIL_ADDRESS_1].');
        const entities = JSON.parse(Buffer.from(run.output[1].processedFile, 'base64').toString());
        expect(entities).toEqual([expect.objectContaining({ token: 'EMAIL_ADDRESS_1', value: 'jane@example.com' })]);
      });

      it('the generic endpoint takes any supported format; a malformed file fails the run with a reason', async () => {
        const { output } = await api.deidentifyFile('file', CSV, 'csv');
        expectNoPii(output.toString());
        const started = await api.startRun('file/structured_text', '{"broken": ', 'json');
        expectOk(started);
        const run = await api.finished(started.body.run_id);
        expect(run.status).toBe('FAILED');
        expect(run.message).toMatch(/json/i);
        expect(run.message).not.toContain('broken');
        expect(run.output).toEqual([]);
      });

      it('another vault’s run, an unknown run and a missing vault_id are refused', async () => {
        const started = await api.startRun('file/text', 'jane@example.com', 'txt');
        const runId = started.body.run_id as string;
        const otherVault = await detectVault(t, 'other');
        expectError(await api.run(runId, otherVault), 404);
        expectError(await api.run('8d6a2c6a-0cbe-4f4b-9d9c-3e5f6a7b8c9d'), 404);
        expectError(await t.request('GET', `/v1/detect/runs/${runId}`), 400, /vault_id/);
      });

      it('only callers with rights on the vault read its runs; others need the right to see values', async () => {
        const started = await api.startRun('file/text', 'jane@example.com', 'txt');
        const runId = started.body.run_id as string;
        await api.finished(runId);
        const viewer = await tokenWithRole(t, vaultId, 'VAULT_VIEWER');
        expectError(await api.as(viewer.token).run(runId), 403);
        expectError(await api.as(viewer.token).startRun('file/text', 'x', 'txt'), 403, /tokens\.tokenize|TOKENIZATION/);
        const editor = await tokenWithRole(t, vaultId, 'VAULT_EDITOR');
        expectOk(await api.as(editor.token).run(runId));
        const stranger = await tokenWithRole(t, await detectVault(t, 'stranger'), 'VAULT_OWNER');
        expectError(await api.as(stranger.token).run(runId), 403);
        expectError(await api.as(null).run(runId), 401);
      });
    });

    describe('formats and limits', () => {
      it('formats not processed yet: 400 naming the format', async () => {
        for (const [endpoint, format] of [
          ['file/document/pdf', 'pdf'],
          ['file/image', 'png'],
          ['file/presentation', 'pptx'],
          ['file/audio', 'mp3'],
          ['file/document', 'doc'],
          ['file/spreadsheet', 'xls'],
          ['file', 'zip'],
          ['file/structured_text', 'jsonl'],
        ] as const) {
          expectError(await api.startRun(endpoint, 'x', format), 400, new RegExp(`"${format}" is not supported yet`));
        }
        // The PDF endpoint's format defaults to pdf (Python SDK).
        expectError(await api.startRun('file/document/pdf', 'x', undefined), 400, /"pdf" is not supported yet/);
      });

      it('a format the endpoint does not take: 400 naming what it takes', async () => {
        expectError(
          await api.startRun('file/text', 'a,b', 'csv'),
          400,
          /not accepted by \/v1\/detect\/deidentify\/file\/text; it takes txt/,
        );
        expectError(await api.startRun('file/spreadsheet', '{}', 'json'), 400, /it takes csv, xls, xlsx/);
        expectError(await api.startRun('file', 'x', 'exe'), 400, /"exe" is not accepted/);
        expectError(await api.startRun('file/text', 'x', undefined), 400, /data_format is required/);
      });

      it('vault tokens only where §6.4 allows them', async () => {
        expectError(
          await api.startRun('file/document', documentFile([['x']]), 'docx', VAULT),
          400,
          /vault_token is not available on \/v1\/detect\/deidentify\/file\/document/,
        );
        expectError(
          await api.startRun('file/spreadsheet', await workbook({ S: [['x']] }), 'xlsx', {
            token_type: { vault_token: ['ssn'] },
          }),
          400,
          /vault_token is not available/,
        );
        expectOk(await api.startRun('file/spreadsheet', CSV, 'csv', VAULT));
      });

      it('refuses bad base64, a stored-file reference and a re-identify format it cannot do', async () => {
        expectError(
          await api.post('/v1/detect/deidentify/file/text', { file: { base64: '@@@', data_format: 'txt' } }),
          400,
          /base64/,
        );
        expectError(
          await api.post('/v1/detect/deidentify/file/text', {
            file: { base64: '', data_format: 'txt', skyflow_id: 'x' },
          }),
          400,
          /skyflow_id is not supported/,
        );
        const reidentify = (format: string) =>
          api.post('/v1/detect/reidentify/file', { file: { base64: 'eA==', data_format: format } });
        expectError(await reidentify('docx'), 400, /not accepted by \/v1\/detect\/reidentify\/file/);
        expectError(await reidentify('jsonl'), 400, /"jsonl" is not supported yet/);
      });

      it('re-identifying a file needs the right to see values', async () => {
        const viewer = await tokenWithRole(t, vaultId, 'VAULT_VIEWER');
        expect((await api.as(viewer.token).reidentifyFile('no tokens here', 'txt')).toString()).toBe('no tokens here');
        const stranger = await tokenWithRole(t, await detectVault(t, 'stranger2'), 'VAULT_OWNER');
        expectError(
          await api
            .as(stranger.token)
            .post('/v1/detect/reidentify/file', { file: { base64: 'eA==', data_format: 'txt' } }),
          403,
        );
      });
    });
  });
}

describe('Detect file size limit', () => {
  let t: TestServer;
  let api: DetectApi;
  beforeAll(async () => {
    t = await startTestServer({ config: { demo: false, maxFileBytes: 2048 } });
    api = new DetectApi(t, await detectVault(t));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('takes a file of maxFileBytes, answers 413 beyond it, and keeps the default limit on other routes', async () => {
    expectOk(await api.startRun('file/text', 'a'.repeat(2048), 'txt'));
    expectError(await api.startRun('file/text', 'a'.repeat(2049), 'txt'), 413);
    // Far beyond: refused before the body is even parsed.
    expectError(await api.startRun('file/text', 'a'.repeat(10 * 1024 * 1024), 'txt'), 413);
    expectError(
      await api.post('/v1/detect/reidentify/file', { file: { base64: 'a'.repeat(4096), data_format: 'txt' } }),
      413,
    );
  });
});
