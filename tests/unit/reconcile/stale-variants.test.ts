import { staleReason, unlinkedVariantDocuments, type DocumentState } from '../../../server/src/core/stale-variants';

const ARTICLE = 'api::article.article';
const record = (variantDocumentId: string, baseDocumentId = 'base') => ({ contentType: ARTICLE, baseDocumentId, variantDocumentId });
const documents = (variantOf: Record<string, string[]>, ordinary: string[] = []): DocumentState => ({
  existing: new Set([...Object.keys(variantOf), ...ordinary]),
  variantOf: new Map(Object.entries(variantOf).map(([documentId, bases]) => [documentId, new Set(bases)])),
});
const enabled = new Set([ARTICLE]);

describe('stale variant records', () => {
  it('trusts a record whose document is marked as a variant of its base', () => {
    expect(staleReason(record('v1'), enabled, documents({ v1: ['base'] }))).toBeNull();
  });

  it('calls a record stale when its type is no longer personalized', () => {
    expect(staleReason(record('v1'), new Set(), undefined)).toBe('type-not-enabled');
  });

  it('calls a record stale when its document is an ordinary entry (the type was disabled and enabled again)', () => {
    expect(staleReason(record('v1'), enabled, documents({}, ['v1']))).toBe('not-a-variant');
  });

  it('calls a record stale when its document is a variant of another base', () => {
    expect(staleReason(record('v1'), enabled, documents({ v1: ['other'] }))).toBe('variant-of-another-entry');
    expect(staleReason(record('v1'), enabled, documents({ v1: ['base', 'other'] }))).toBe('variant-of-another-entry');
  });

  it('calls a record stale when its document no longer exists', () => {
    expect(staleReason(record('v1'), enabled, documents({}))).toBe('document-missing');
  });

  it('finds documents marked as variants that no record links', () => {
    expect(unlinkedVariantDocuments([record('v1')], documents({ v1: ['base'], v3: ['base'], v2: ['base'] }))).toEqual(['v2', 'v3']);
  });
});
