/** What the admin reads about the plugin's configuration: `GET /personalization/catalogue` and `/settings`. */

export type AttributeType = 'string' | 'number' | 'boolean' | 'string[]' | 'date';

/** `token`: the consent token's `attr` claim; `context`: the X-Personalization-Context header. */
export type AttributeSource = 'token' | 'context' | 'builtin';

/** One attribute a rule may read, as the admin lists it. */
export interface CatalogueAttribute {
  name: string;
  type: AttributeType;
  source: AttributeSource;
  /** The consent purpose that unlocks it; null for built-ins. */
  purpose: string | null;
  description: string | null;
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
