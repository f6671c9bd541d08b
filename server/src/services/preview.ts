import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { statedConsent, unknownPurposes, type AttributeRefusal } from '../core/consent/editor-consent';
import { createTokenIssuer } from '../core/consent/token';
import { enabledTypeOr400 } from '../enabled-types';
import { InputError, parseInput } from '../errors';
import { settings } from '../settings';

/** Long enough to try a page in a frontend, short enough that a leaked link is soon worthless. */
export const PREVIEW_TTL_SECONDS = 600;

const previewSchema = z
  .object({
    contentType: z.string().min(1),
    documentId: z.string().min(1),
    // Empty: a visitor who granted nothing optional, e.g. to preview a campaign at a chosen time.
    purposes: z.array(z.string()).max(50),
    attributes: z.record(z.string(), z.unknown()).default({}),
    locale: z.string().min(1).max(64).nullable().optional(),
    /** The moment to preview (schedules, campaigns, hour and weekday rules); absent means now. */
    at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export interface PreviewAnswer {
  /** A consent token like one from POST /consent, valid for PREVIEW_TTL_SECONDS and never recorded. */
  token: string;
  expiresAt: string;
  /** The content-API request a frontend would make for this visitor. */
  request: { method: 'GET'; path: string; headers: Record<string, string> };
  /** What the content API answered to exactly that request. */
  response: { status: number; body: unknown };
}

const REFUSALS: Record<AttributeRefusal, (name: string, definition?: { type: string; purpose?: string }) => string> = {
  unknown: (name) => `"${name}" is not an attribute a visitor can share`,
  builtin: (name) => `"${name}" is not an attribute a visitor can share`,
  'wrong-type': (_, definition) => `must be of type ${definition!.type}`,
  'purpose-not-granted': (_, definition) => `needs the purpose "${definition!.purpose}"`,
};

/**
 * Preview as a visitor: signs a short-lived consent token for the chosen purposes and
 * attributes and asks this server's own content API for the entry with it, so the editor sees
 * what delivery serves, decided by delivery itself. No consent record is written: no visitor
 * consented; an editor looked. With `at`, the token carries that moment (`pat`) and delivery
 * decides as of then.
 */
const preview = ({ strapi }: { strapi: Core.Strapi }) => ({
  async preview(body: unknown): Promise<PreviewAnswer> {
    const input = parseInput(previewSchema, body);
    const { config, catalogue } = settings(strapi);
    const contentType = enabledTypeOr400(strapi, input.contentType);
    const configured = config.purposes.map((purpose) => purpose.key);
    const [unknown] = unknownPurposes(input.purposes, configured);
    if (unknown) throw new InputError(unknown.field, unknown.message);
    if (!config.tokenSecret) {
      throw new InputError('tokenSecret', 'previews are signed with the plugin tokenSecret; configure one', 409);
    }

    // The preview is a visitor with a token: the purposes chosen and `necessary`.
    const consent = statedConsent({ purposes: input.purposes, attributes: input.attributes, withToken: true }, catalogue, configured);
    const [refused] = consent.ignored;
    if (refused) throw new InputError(`attributes.${refused.name}`, REFUSALS[refused.reason](refused.name, catalogue[refused.name]));
    const contextAttributes = consent.context;

    const issued = await createTokenIssuer({
      secret: config.tokenSecret,
      ttlSeconds: PREVIEW_TTL_SECONDS,
      issuer: config.tokenIssuer,
      policyVersion: config.policyVersion,
    }).issue({
      purposes: consent.purposes,
      attributes: consent.token,
      previewAt: input.at ? Date.parse(input.at) : undefined,
    });

    const headers: Record<string, string> = { 'X-Consent-Token': issued.token };
    if (Object.keys(contextAttributes).length > 0) {
      headers['X-Personalization-Context'] = Buffer.from(JSON.stringify(contextAttributes)).toString('base64url');
    }
    const prefix = strapi.config.get('api.rest.prefix', '/api') as string;
    const resource =
      contentType.kind === 'singleType' ? contentType.info.singularName : `${contentType.info.pluralName}/${input.documentId}`;
    const path = `${prefix}/${resource}${input.locale ? `?locale=${encodeURIComponent(input.locale)}` : ''}`;

    const address = strapi.server.httpServer.address();
    if (!address || typeof address === 'string') {
      throw new InputError('server', 'the server is not listening on a TCP port, so it cannot ask its own content API', 409);
    }
    const host = ['0.0.0.0', '::', ''].includes(address.address) ? '127.0.0.1' : address.address;
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    // Marked as a preview: the editor sees the visitor's experiment arm, and no exposure is counted.
    const answer = await fetch(`${origin}${path}`, { headers: { ...headers, 'X-Personalization-Preview': '1' } });
    const text = await answer.text();
    let responseBody: unknown = text;
    try {
      responseBody = JSON.parse(text);
    } catch {
      // Not JSON: shown as text.
    }
    return {
      token: issued.token,
      expiresAt: issued.expiresAt,
      request: { method: 'GET', path, headers },
      response: { status: answer.status, body: responseBody },
    };
  },
});

export type PreviewService = ReturnType<typeof preview>;
export default preview;
