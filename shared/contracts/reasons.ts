/**
 * Reason codes: every delivered entry and every explain or simulator answer carries one, and the
 * admin labels each. Closed unions, so a code added or renamed on one side fails the other's build.
 */

/**
 * Why a token gives no consent, named so a frontend developer can act on it:
 * - `token-malformed`: not a compact JWS, bad base64/JSON, or a claim missing or of the wrong shape;
 * - `token-oversized`: longer than `maxTokenBytes` (refused before any parsing);
 * - `token-algorithm`: `alg` not allowed for the key it selects (`none`, HS/asymmetric confusion);
 * - `token-unknown-key`: a `kid` no configured issuer has (e.g. a key rotated out), or no `kid` and
 *   no own secret;
 * - `token-signature`: the signature does not verify;
 * - `token-issuer`: `iss` or `aud` is not the one the selected key belongs to;
 * - `token-expired` / `token-not-yet-valid`: `exp`, `nbf` or `iat` outside the clock skew;
 * - `token-revoked`: its consent record was withdrawn.
 */
export type TokenFailure =
  | 'token-malformed'
  | 'token-oversized'
  | 'token-algorithm'
  | 'token-unknown-key'
  | 'token-signature'
  | 'token-issuer'
  | 'token-expired'
  | 'token-not-yet-valid'
  | 'token-revoked';

/** Why the X-Personalization-Context header was ignored. */
export type ContextFailure = 'context-oversized' | 'context-malformed';

/** One code for the consent of a request: the most relevant cause, token first. */
export type ConsentReason = 'consent' | 'no-token' | TokenFailure | 'tcf-malformed' | ContextFailure;

/** Why one variant was not served to a request. */
export type SkipReason =
  | 'disabled'
  | 'locale-excluded'
  | 'locale-missing'
  | 'draft'
  | 'schedule'
  | 'consent-missing'
  | 'rule-false';

/**
 * Why an entry was served as it was: a variant matched, the visitor's experiment arm, none exists, or why none could be served;
 * a consent reason stands in when missing consent is what held the variants back.
 */
export type DecisionReason = 'targeted-match' | 'mass-match' | 'experiment' | 'no-variants' | SkipReason | Exclude<ConsentReason, 'consent'>;
