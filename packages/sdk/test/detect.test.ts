import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeidentifyFileOptions,
  DeidentifyFileRequest,
  DeidentifyTextOptions,
  DeidentifyTextRequest,
  DetectEntities,
  GetDetectRunRequest,
  LogLevel,
  ReidentifyTextOptions,
  Skyflow,
  SkyflowError,
  TokenFormat,
  TokenType,
  Transformations,
} from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

const VAULT_TOKEN = /\[(SSN|EMAIL_ADDRESS|NAME)_[0-9a-f-]{36}\]/;
const CSV = 'name,email\nJane Doe,jane.doe@example.com\nJohn Smith,john.smith@example.org\n';

describe('Detect through the SDK against a real Strongroom server', () => {
  let f: SdkFixture;
  let client: Skyflow;
  const detect = () => client.detect();

  beforeAll(async () => {
    f = await startSdkFixture();
    client = new Skyflow({
      vaultConfigs: [{ vaultId: f.vaultId, vaultURL: f.url }],
      skyflowCredentials: { path: f.owner.credentialsPath },
      logLevel: LogLevel.OFF,
    });
  });
  afterAll(() => f?.close());

  describe('deidentifyText and reidentifyText', () => {
    it('gives camelCase results: processed text, entities with their indices, counts', async () => {
      const text = 'Jane Doe wrote from jane@example.com.';
      const res = await detect().deidentifyText(text);
      expect(res.processedText).toBe('[NAME_1] wrote from [EMAIL_ADDRESS_1].');
      expect(res.wordCount).toBe(5);
      expect(res.charCount).toBe(text.length);
      expect(res.errors).toEqual([]);
      expect(res.entities[1]).toEqual({
        token: 'EMAIL_ADDRESS_1',
        value: 'jane@example.com',
        textIndex: { start: 20, end: 36 },
        processedIndex: { start: 20, end: 37 },
        entity: 'email_address',
        scores: expect.objectContaining({ email_address: expect.any(Number) }),
      });
    });

    it('round-trips vault tokens, and masks or redacts on the way back', async () => {
      const text = 'SSN 536-22-1234, mail jane@example.com';
      const options = new DeidentifyTextOptions()
        .setEntities([DetectEntities.SSN, DetectEntities.EMAIL_ADDRESS])
        .setTokenFormat(new TokenFormat().setDefault(TokenType.VAULT_TOKEN));
      const d = await detect().deidentifyText(new DeidentifyTextRequest(text), options);
      expect(d.processedText).toMatch(VAULT_TOKEN);
      expect(d.processedText).not.toContain('536-22-1234');
      expect((await detect().reidentifyText(d.processedText)).processedText).toBe(text);
      const partly = await detect().reidentifyText(
        d.processedText,
        new ReidentifyTextOptions()
          .setMaskedEntities([DetectEntities.SSN])
          .setRedactedEntities([DetectEntities.EMAIL_ADDRESS]),
      );
      expect(partly.processedText).toBe('SSN XXX-XX-1234, mail [EMAIL_ADDRESS]');
    });

    it('takes plain-object options, date shifting and regex lists', async () => {
      const res = await detect().deidentifyText('On 2022-03-14 call ops@example.com or jane@example.com', {
        transformations: new Transformations({ shiftDays: { min: 5, max: 5 } }),
        allowRegexList: ['ops@example\\.com'],
        tokenFormat: { default: TokenType.ENTITY_ONLY },
      });
      expect(res.processedText).toBe('On 2022-03-19 call ops@example.com or [EMAIL_ADDRESS]');
    });

    it('rejects an unknown entity type before sending, and passes the server’s 400s on', async () => {
      await expect(detect().deidentifyText('x', { entities: ['shoe_size' as DetectEntities] })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/shoe_size/),
      });
      await expect(detect().deidentifyText('x', { allowRegexList: ['(unclosed'] })).rejects.toMatchObject({
        code: 'API_ERROR',
        httpCode: 400,
        message: expect.stringMatching(/invalid regular expression/),
      });
    });
  });

  describe('deidentifyFile and getDetectRun', () => {
    it('de-identifies a file from a path: its bytes, extension, type, entities and run', async () => {
      const file = path.join(f.dir, 'people.csv');
      writeFileSync(file, CSV);
      const res = await detect().deidentifyFile(file, { tokenFormat: { default: TokenType.VAULT_TOKEN } });
      expect(res.status).toBe('SUCCESS');
      expect(res.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.extension).toBe('csv');
      expect(res.type).toBe('redacted_file');
      const processed = new TextDecoder().decode(res.file);
      expect(processed.split('\n')[0]).toBe('name,email');
      expect(processed).not.toContain('jane.doe@example.com');
      expect(res.fileBase64).toBe(Buffer.from(res.file as Uint8Array).toString('base64'));
      expect(res.entities).toEqual([{ file: expect.any(String), extension: 'json' }]);
      expect(res.detectedEntities.map((e) => e.value)).toEqual(
        expect.arrayContaining(['Jane Doe', 'jane.doe@example.com', 'John Smith', 'john.smith@example.org']),
      );
      expect(res.wordCount).toBeGreaterThan(0);
      expect(res.sizeInKb).toBeGreaterThan(0);
      // The vault tokens come back through reidentifyText too.
      expect((await detect().reidentifyText(processed)).processedText).toBe(CSV);
    });

    it('takes bytes, a File, a Blob and a stream, choosing the endpoint by extension', async () => {
      const json = JSON.stringify({ contact: 'jane@example.com' });
      const fromBytes = await detect().deidentifyFile(Buffer.from(json), { fileName: 'contact.json' });
      expect(fromBytes.extension).toBe('json');
      expect(JSON.parse(new TextDecoder().decode(fromBytes.file))).toEqual({ contact: '[EMAIL_ADDRESS_1]' });
      const fromFile = await detect().deidentifyFile(
        new DeidentifyFileRequest({ file: new File(['Mail jane@example.com'], 'note.txt') }),
      );
      expect(fromFile.type).toBe('redacted_text');
      expect(new TextDecoder().decode(fromFile.file)).toBe('Mail [EMAIL_ADDRESS_1]');
      const fromBlob = await detect().deidentifyFile(new Blob(['<a>jane@example.com</a>']), { format: 'xml' });
      expect(new TextDecoder().decode(fromBlob.file)).toBe('<a>[EMAIL_ADDRESS_1]</a>');
      const fromStream = await detect().deidentifyFile(Readable.from([Buffer.from(CSV)]), { fileName: 'p.csv' });
      expect(new TextDecoder().decode(fromStream.file)).not.toContain('@');
    });

    it('writes the results into outputDirectory', async () => {
      const out = path.join(f.dir, 'out');
      const file = path.join(f.dir, 'letter.txt');
      writeFileSync(file, 'Write to jane@example.com');
      await detect().deidentifyFile(
        new DeidentifyFileRequest({ filePath: file }),
        new DeidentifyFileOptions().setOutputDirectory(out),
      );
      expect(readdirSync(out).sort()).toEqual(['processed-letter-entities.json', 'processed-letter.txt']);
      expect(readFileSync(path.join(out, 'processed-letter.txt'), 'utf8')).toBe('Write to [EMAIL_ADDRESS_1]');
      expect(JSON.parse(readFileSync(path.join(out, 'processed-letter-entities.json'), 'utf8'))[0]).toMatchObject({
        value: 'jane@example.com',
      });
    });

    it('returns IN_PROGRESS with the runId when the wait is over, and getDetectRun fetches the result later', async () => {
      const lines = Array.from({ length: 12_000 }, (_, i) => `Row ${i}: Jane Doe, jane${i % 50}@example.com`);
      const first = await detect().deidentifyFile(Buffer.from(lines.join('\n')), { fileName: 'big.txt', waitTime: 0 });
      expect(first.status).toBe('IN_PROGRESS');
      expect(first.file).toBeUndefined();
      let run = await detect().getDetectRun(new GetDetectRunRequest({ runId: first.runId }));
      for (let i = 0; run.status === 'IN_PROGRESS' && i < 600; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = await detect().getDetectRun(first.runId);
      }
      expect(run.status).toBe('SUCCESS');
      expect(new TextDecoder().decode(run.file)).not.toContain('@example.com');
      expect(run.progress).toEqual({ done: run.progress?.total, total: expect.any(Number) });
    });

    it('throws for a file the server refuses, a failed run and an unknown run', async () => {
      await expect(detect().deidentifyFile(Buffer.from('%PDF-1.7'), { fileName: 'scan.pdf' })).rejects.toMatchObject({
        code: 'API_ERROR',
        httpCode: 400,
        message: expect.stringMatching(/"pdf" is not supported yet/),
      });
      const failed = await detect()
        .deidentifyFile(Buffer.from('{"broken":'), { fileName: 'broken.json' })
        .catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(SkyflowError);
      expect((failed as SkyflowError).message).toMatch(/json/i);
      await expect(detect().getDetectRun('8d6a2c6a-0cbe-4f4b-9d9c-3e5f6a7b8c9d')).rejects.toMatchObject({
        httpCode: 404,
      });
      await expect(detect().deidentifyFile(Buffer.from('x'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });
});
