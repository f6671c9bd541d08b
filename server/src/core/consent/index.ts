/** Consent normalization: request signals in, granted purposes and visible attributes out. */
export {
  createTokenIssuer,
  type ConsentClaims,
  type ConsentGrant,
  type IssuedToken,
  type TokenFailure,
  type TokenIssuer,
  type TokenIssuerOptions,
  type TokenResult,
} from './token';
export { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier';
export type { ExternalIssuer, TokenAlgorithm } from './token-keys';
export {
  DEFAULT_TCF_PURPOSE_MAP,
  MAX_TCF_STRING_LENGTH,
  purposesFromTcf,
  type TcfPurposeMap,
  type TcfResult,
} from './tcf';
export { parseContextHeader, type ContextFailure, type ContextHeaderResult } from './context-header';
export {
  NECESSARY_PURPOSE,
  NO_CONSENT,
  normalizeConsent,
  type Consent,
  type ConsentReason,
  type ConsentSignals,
  type NormalizeOptions,
} from './normalize';
