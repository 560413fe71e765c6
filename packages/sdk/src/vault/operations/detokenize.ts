import { invalidInput } from '../../errors/skyflow-error.js';
import { isObject } from '../../http/error-response.js';
import { assignDefined, CallOptionsBase, optionalBoolean, optionalEnum, type SkyflowRecordError } from '../common.js';
import { RedactionType } from '../enums.js';
import type { OperationPlan } from '../operation.js';

/** A token to exchange for its value, with the redaction wanted for it (default `DEFAULT`). */
export interface DetokenizeData {
  readonly token: string;
  readonly redactionType?: RedactionType | undefined;
}

/** Tokens to exchange for values; a bare string is a token with the default redaction. */
export class DetokenizeRequest {
  constructor(public data: (DetokenizeData | string)[]) {}
}

export interface DetokenizeOptionsInit {
  /** Report unknown or forbidden tokens in `errors` instead of failing the call. */
  readonly continueOnError?: boolean | undefined;
  /** Return signed download URLs for tokens of file columns. */
  readonly downloadUrl?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export class DetokenizeOptions extends CallOptionsBase implements DetokenizeOptionsInit {
  continueOnError?: boolean | undefined;
  downloadUrl?: boolean | undefined;

  constructor(init?: DetokenizeOptionsInit) {
    super();
    assignDefined(this, init as Partial<this>);
  }
  setContinueOnError(continueOnError: boolean): this {
    this.continueOnError = continueOnError;
    return this;
  }
  getContinueOnError(): boolean | undefined {
    return this.continueOnError;
  }
  setDownloadUrl(downloadUrl: boolean): this {
    this.downloadUrl = downloadUrl;
    return this;
  }
  getDownloadUrl(): boolean | undefined {
    return this.downloadUrl;
  }
  /** @deprecated skyflow-node's spelling of {@link setDownloadUrl}. */
  setDownloadURL(downloadURL: boolean): this {
    return this.setDownloadUrl(downloadURL);
  }
}

/** A detokenized value: always a string, with its column's `type` (`STRING`, `INTEGER`, `JSON`, …). */
export interface DetokenizedField {
  readonly token: string;
  readonly value: string;
  readonly type: string;
}

export class DetokenizeResponse {
  /** Tokens that were detokenized, in request order. */
  readonly detokenizedFields: DetokenizedField[];
  /** Tokens that were not (only with `continueOnError`), each with `token` and `error`. */
  readonly errors: SkyflowRecordError[];
  constructor(init: { detokenizedFields: DetokenizedField[]; errors?: SkyflowRecordError[] }) {
    this.detokenizedFields = init.detokenizedFields;
    this.errors = init.errors ?? [];
  }
}

const OPERATION = 'detokenize';

export function planDetokenize(
  request: DetokenizeRequest,
  options: DetokenizeOptionsInit = {},
): OperationPlan<DetokenizeResponse> {
  const data = request?.data;
  if (!Array.isArray(data) || data.length === 0)
    throw invalidInput(`${OPERATION}: data must be a non-empty list of tokens.`);
  const parameters = data.map((item, i) => {
    const entry = typeof item === 'string' ? { token: item } : item;
    if (!isObject(entry) || typeof entry.token !== 'string' || entry.token === '') {
      throw invalidInput(`${OPERATION}: data[${i}] needs a token.`);
    }
    const redaction = optionalEnum(entry.redactionType, RedactionType, OPERATION, `data[${i}].redactionType`);
    return { token: entry.token, redaction: redaction ?? RedactionType.DEFAULT };
  });
  const continueOnError = optionalBoolean(options.continueOnError, OPERATION, 'continueOnError');
  const downloadURL = optionalBoolean(options.downloadUrl, OPERATION, 'downloadUrl');
  return {
    operation: OPERATION,
    method: 'POST',
    path: '/detokenize',
    body: {
      detokenizationParameters: parameters,
      ...(continueOnError !== undefined && { continueOnError }),
      ...(downloadURL !== undefined && { downloadURL }),
    },
    // Reads values and changes nothing.
    idempotent: true,
    count: parameters.length,
    parse: (body, requestId) => {
      const records = isObject(body) && Array.isArray(body.records) ? body.records : [];
      const detokenizedFields: DetokenizedField[] = [];
      const errors: SkyflowRecordError[] = [];
      records.forEach((record, requestIndex) => {
        const r = isObject(record) ? record : {};
        const token = typeof r.token === 'string' ? r.token : (parameters[requestIndex]?.token ?? '');
        if (r.error !== undefined && r.error !== null) {
          errors.push({ token, error: String(r.error), requestId, requestIndex });
        } else {
          detokenizedFields.push({ token, value: String(r.value ?? ''), type: String(r.valueType ?? 'NONE') });
        }
      });
      return new DetokenizeResponse({ detokenizedFields, errors });
    },
  };
}
