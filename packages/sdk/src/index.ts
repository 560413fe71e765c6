/**
 * @strongroom/sdk — the TypeScript client of Strongroom (and of any Skyflow-compatible Data API), for Node 20
 * and browsers. Its surface follows Skyflow's v2 SDKs, so moving over is a change of import and URL.
 *
 * @packageDocumentation
 */

export type { ConnectionConfig, SkyflowConfig, VaultConfig } from './client/config.js';
export { Skyflow } from './client/skyflow.js';
export { SkyflowBuilder } from './client/skyflow-builder.js';
export { Env, skyflowVaultUrl } from './client/vault-url.js';
export { ENVIRONMENT_VARIABLE } from './credentials/resolve.js';
export type {
  ApiKeyCredentials,
  BearerTokenCallbackCredentials,
  Credentials,
  GeneratedTokenOptions,
  PathCredentials,
  StringCredentials,
  TokenCredentials,
} from './credentials/types.js';
export { DetectController } from './detect/detect-controller.js';
export { DetectEntities, DetectRunStatus, TokenType } from './detect/enums.js';
export { type FileEndpoint as DetectFileEndpoint, fileEndpointFor } from './detect/file-endpoint.js';
export {
  DeidentifyFileOptions,
  type DeidentifyFileOptionsInit,
  DeidentifyTextOptions,
  type DeidentifyTextOptionsInit,
  type DetectFile,
  MAX_WAIT_TIME,
  ReidentifyTextOptions,
  type ReidentifyTextOptionsInit,
  type ShiftDays,
  TokenFormat,
  type TokenFormatInit,
  Transformations,
} from './detect/options.js';
export { pollDelays } from './detect/polling.js';
export {
  type DeidentifyFileInput,
  DeidentifyFileRequest,
  DeidentifyTextRequest,
  GetDetectRunRequest,
  ReidentifyTextRequest,
} from './detect/requests.js';
export {
  DeidentifyFileResponse,
  DeidentifyTextResponse,
  type DetectedEntity,
  type DetectOutputFile,
  ReidentifyTextResponse,
} from './detect/responses.js';
export { SkyflowError, type SkyflowErrorCode, type SkyflowErrorFields } from './errors/skyflow-error.js';
export type { TransportOptions } from './http/defaults.js';
export type { RetryOptions } from './http/retry-policy.js';
export type { CallOptions } from './http/transport.js';
export { isExpired } from './jwt/decode.js';
export { consoleLogger, type LogFields, type Logger, LogLevel } from './logging/logger.js';
export {
  type BearerTokenOptions,
  generateBearerToken,
  generateBearerTokenFromCreds,
  type TokenResponse,
} from './service-account/bearer-token.js';
export type { Context } from './service-account/context.js';
export type { ServiceAccountCredentials } from './service-account/credentials-file.js';
export {
  generateSignedDataTokens,
  generateSignedDataTokensFromCreds,
  SIGNED_TOKEN_PREFIX,
  type SignedDataTokensOptions,
  type SignedDataTokensResponse,
} from './service-account/signed-data-tokens.js';
export type { SkyflowRecordError } from './vault/common.js';
export { OrderByEnum, RedactionType, TokenMode } from './vault/enums.js';
export { DeleteRequest, DeleteResponse } from './vault/operations/delete.js';
export {
  type DetokenizeData,
  type DetokenizedField,
  DetokenizeOptions,
  type DetokenizeOptionsInit,
  DetokenizeRequest,
  DetokenizeResponse,
} from './vault/operations/detokenize.js';
export {
  GetColumnRequest,
  GetOptions,
  type GetOptionsInit,
  type GetRecord,
  GetRequest,
  GetResponse,
} from './vault/operations/get.js';
export {
  type InsertedRecord,
  InsertOptions,
  type InsertOptionsInit,
  InsertRequest,
  InsertResponse,
} from './vault/operations/insert.js';
export { type QueryRecord, QueryRequest, QueryResponse } from './vault/operations/query.js';
export { TokenizeRequest, type TokenizeRequestType, TokenizeResponse } from './vault/operations/tokenize.js';
export {
  type UpdatedRecord,
  UpdateOptions,
  type UpdateOptionsInit,
  UpdateRequest,
  UpdateResponse,
} from './vault/operations/update.js';
export {
  type ByteChunks,
  type FileMetadata,
  FileUploadOptions,
  type FileUploadOptionsInit,
  FileUploadRequest,
  FileUploadResponse,
} from './vault/operations/upload-file.js';
export { VaultController } from './vault/vault-controller.js';
