/** What the admin reads about the plugin's configuration: `GET /personalization/catalogue` and `/settings`. */

/** `version`: a SemVer 2.0.0 string such as an app version; the only type the version operators compare. */
export type AttributeType = 'string' | 'number' | 'boolean' | 'string[]' | 'date' | 'version';

/**
 * JSON Logic operators a rule may apply to an attribute (the attribute as a direct operand), per type:
 * - every type: `==` `!=` `===` `!==` `!` `!!` `and` `or` `if` `?:`;
 * - `string`: also `in` (one of a list, or a part of the text), `contains`, `starts_with`, `ends_with`, `cat`, `substr`;
 * - `version`: also `in`, `semver_eq` `semver_gt` `semver_gte` `semver_lt` `semver_lte`;
 * - `number`: also `in`, `<` `<=` `>` `>=`, `+` `-` `*` `/` `%` `min` `max`;
 * - `string[]`: also `in` (the list holds an item exactly), `contains` (ignoring case), `some` `all` `none`, `merge`;
 * - `date`: also `before` `after` `between`;
 * - `boolean`: nothing more.
 * Saving a rule that applies another operator to the attribute is a 400 naming the node.
 */
export type AttributeOperator =
  | '==' | '!=' | '===' | '!==' | '!' | '!!' | 'and' | 'or' | 'if' | '?:'
  | 'in' | 'contains' | 'starts_with' | 'ends_with' | 'cat' | 'substr'
  | 'semver_eq' | 'semver_gt' | 'semver_gte' | 'semver_lt' | 'semver_lte'
  | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | 'min' | 'max'
  | 'some' | 'all' | 'none' | 'merge'
  | 'before' | 'after' | 'between';

/** `token`: the consent token's `attr` claim; `context`: the X-Personalization-Context header. */
export type AttributeSource = 'token' | 'context' | 'builtin';

/** One attribute a rule may read, as the admin lists it. */
export interface CatalogueAttribute {
  name: string;
  type: AttributeType;
  source: AttributeSource;
  /** The consent purpose that unlocks it; null for built-ins. */
  purpose: string | null;
  /** What editors read: the configured `title`, or the name when none is configured. */
  title: string;
  description: string | null;
  /** True when it comes from the visitor (token or context) and needs consent: a mass variant may not read it. */
  personal: boolean;
  /**
   * Allowed values (`string` and `string[]` only), in the configured order; null when any value is allowed.
   * A rule comparing the attribute with a constant outside them is refused (400 naming the node).
   */
  values: string[] | null;
  /**
   * What editors read for a value, by the value written as a string: configured `labels`, and for
   * `weekday` the English day names ("0" → "Sunday" … "6" → "Saturday"). Null when there are none;
   * a value without a label reads as itself.
   */
  labels: Record<string, string> | null;
  /** Inclusive bounds of a `number` (`hour` 0–23, `weekday` 0–6); null when unbounded. Constants outside are refused. */
  min: number | null;
  max: number | null;
  /** Whole numbers only (`hour`, `weekday`): a fractional constant is refused. */
  integer: boolean;
  /** The operators a rule may apply to this attribute (see AttributeOperator), in the order a menu offers them. */
  operators: AttributeOperator[];
}

export interface Purpose {
  key: string;
  title: string;
  description: string;
}

export interface EnabledContentType {
  uid: string;
  displayName: string;
  kind: 'collectionType' | 'singleType';
  localized: boolean;
  draftAndPublish: boolean;
  /** The field the Content Manager shows as the entry's title. */
  mainField: string;
}

export interface Locale {
  code: string;
  name: string;
  isDefault: boolean;
}

/** What editors read to write rules and simulate visitors (`GET /catalogue`, behind `read`). */
export interface PluginSettings {
  purposes: Purpose[];
  attributes: CatalogueAttribute[];
  contentTypes: EnabledContentType[];
  locales: Locale[];
  timeZone: string;
}

/** The Settings page's view (`GET /settings`, behind `settings`): the catalogue, policy version and token status. */
export interface PluginConfiguration extends PluginSettings {
  policyVersion: string;
  token: { secretConfigured: boolean; ttlSeconds: number; issuers: string[] };
}
