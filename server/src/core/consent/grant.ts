/**
 * A visitor's grant (POST /consent) checked against the configured purposes and the catalogue.
 * Pure: the consent service parses the body with `grantShape`, then refuses on the first problem.
 */
import { z } from 'zod';
import type { Catalogue } from '../catalogue';
import { attributeRefusal, tokenPurposes, unknownPurposes, type InputProblem } from './editor-consent';

export const grantShape = z
  .object({
    purposes: z.array(z.string().max(64)).max(64),
    attributes: z.record(z.string(), z.unknown()).optional(),
    policyVersion: z.string().max(64).optional(),
  })
  .strict();

export type GrantInput = z.output<typeof grantShape>;

export interface GrantRules {
  /** Configured purpose keys, in order. */
  purposes: readonly string[];
  policyVersion: string;
  catalogue: Catalogue;
}

/**
 * Every problem of a grant, each naming its purpose, attribute or key; never a value.
 * `attributes` is the raw body object: zod's record drops a `__proto__` key, which must be named too.
 */
export function grantProblems(input: GrantInput, attributes: Record<string, unknown>, rules: GrantRules): InputProblem[] {
  const problems = unknownPurposes(input.purposes, rules.purposes);
  const granted = new Set(tokenPurposes(input.purposes, rules.purposes));
  for (const name of Object.keys(attributes)) {
    const field = `attributes.${name}`;
    const refusal = attributeRefusal(rules.catalogue, granted, name, attributes[name]);
    const definition = rules.catalogue[name];
    if (refusal === 'unknown') {
      problems.push({ field, message: `unknown attribute "${name}"` });
    } else if (refusal === 'builtin') {
      problems.push({ field, message: `"${name}" is a built-in attribute, computed per request` });
    } else if (definition.source !== 'token') {
      problems.push({ field, message: `attribute "${name}" comes from the X-Personalization-Context header, not the token` });
    } else if (refusal === 'wrong-type') {
      problems.push({ field, message: `attribute "${name}" must be of type ${definition.type}` });
    } else if (refusal === 'purpose-not-granted') {
      problems.push({ field, message: `attribute "${name}" needs the purpose "${definition.purpose}", which is not granted` });
    }
  }
  if (input.policyVersion !== undefined && input.policyVersion !== rules.policyVersion) {
    problems.push({
      field: 'policyVersion',
      message: `the current policy version is "${rules.policyVersion}"; show the visitor that policy first`,
    });
  }
  return problems;
}
