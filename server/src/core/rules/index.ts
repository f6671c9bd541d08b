/** Audience rules: JSON Logic with a whitelist, targeting operators, compiled once. See OPERATORS.md. */
export { compileAudience, type CompiledRule, type CompileOptions } from './compile';
export {
  buildRuleContext,
  builtinContext,
  type BuiltinContext,
  type RuleContext,
  type RuleContextInput,
} from './context';
export {
  AUDIENCE_OPERATORS,
  CORE_OPERATORS,
  REFUSED_OPERATORS,
  detectEvaluationMode,
  type EvaluationMode,
} from './engine';
export { OPERATORS_BY_TYPE, attributeUseProblem, describeAttribute, describeCatalogue } from './attribute-use';
export { explainRule, type RuleExplanation } from './explain';
export { attributesRead, personalAttributesRead, purposesImplied, purposesOfAttributes } from './reads';
export { TARGETING_OPERATORS, type TargetingOperatorName } from './targeting-operators';
export { ROOT_PATH } from './rule-path';
export {
  MAX_RULE_BYTES,
  MAX_RULE_DEPTH,
  checkRuleShape,
  validateAudience,
  validateRule,
  type RuleProblem,
} from './validate';
