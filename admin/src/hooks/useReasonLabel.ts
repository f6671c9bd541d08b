import * as React from 'react';
import type { DecisionReason } from '../../../shared/contracts';
import { useT } from './useT';

/** Default English wording of every delivery reason code (shared/contracts/reasons.ts). */
export const REASON_LABELS: Record<DecisionReason, string> = {
  'targeted-match': 'the audience matches and consent covers it',
  'mass-match': 'its conditions hold now (a mass variant, no consent needed)',
  experiment: "the visitor's arm in a running experiment",
  'no-variants': 'the entry has no variants',
  disabled: 'disabled',
  'locale-excluded': 'not meant for this locale',
  'locale-missing': 'not published in this locale',
  draft: 'not published',
  schedule: 'outside its schedule',
  'consent-missing': 'a purpose it needs is not granted',
  'rule-false': 'the audience does not match',
  'no-token': 'no consent token',
  'token-malformed': 'the consent token is malformed',
  'token-oversized': 'the consent token is too large',
  'token-algorithm': 'the consent token uses a refused algorithm',
  'token-unknown-key': 'the consent token is signed with an unknown key',
  'token-signature': 'the consent token signature is wrong',
  'token-issuer': 'the consent token comes from an unknown issuer',
  'token-expired': 'the consent token has expired',
  'token-not-yet-valid': 'the consent token is not valid yet',
  'token-revoked': 'the consent was withdrawn',
  'tcf-malformed': 'the TCF consent string is malformed',
  'context-oversized': 'the context header is too large',
  'context-malformed': 'the context header is malformed',
};

export function useReasonLabel() {
  const t = useT();
  return React.useCallback((code: string) => t(`reason.${code}`, REASON_LABELS[code as DecisionReason] ?? code), [t]);
}
