import { fullCatalogue, visibleAttributes, hasAttributeType } from '../../../server/src/core/catalogue';

const catalogue = fullCatalogue({
  interests: { type: 'string[]', source: 'token', purpose: 'personalization' },
  ageGroup: { type: 'string', source: 'token', purpose: 'personalization' },
  device: { type: 'string', source: 'context', purpose: 'functional' },
  campaign: { type: 'string', source: 'token', purpose: 'marketing' },
});

describe('visibleAttributes', () => {
  const raw = { interests: ['outdoor'], ageGroup: '18-24', campaign: 'winter', device: 'mobile', shoeSize: 44 };

  it('keeps only attributes whose purpose is granted', () => {
    const visible = visibleAttributes(catalogue, 'token', new Set(['personalization']), raw);
    expect({ ...visible }).toEqual({ interests: ['outdoor'], ageGroup: '18-24' });
  });

  it('shows nothing when no purpose is granted', () => {
    expect(Object.keys(visibleAttributes(catalogue, 'token', new Set(), raw))).toEqual([]);
  });

  it('ignores attributes declared for another source', () => {
    const visible = visibleAttributes(catalogue, 'token', new Set(['functional']), raw);
    expect(visible.device).toBeUndefined();
    expect({ ...visibleAttributes(catalogue, 'context', new Set(['functional']), raw) }).toEqual({ device: 'mobile' });
  });

  it('drops values of the wrong type and never exposes inherited keys', () => {
    const visible = visibleAttributes(catalogue, 'token', new Set(['personalization']), {
      interests: 'outdoor',
      ageGroup: 18,
    });
    expect(Object.keys(visible)).toEqual([]);
    expect(Object.getPrototypeOf(visible)).toBeNull();
    expect((visible as Record<string, unknown>).constructor).toBeUndefined();
  });

  it('returns an empty object for non-object input', () => {
    for (const raw of [null, 'x', 3, ['interests']]) {
      expect(Object.keys(visibleAttributes(catalogue, 'token', new Set(['personalization']), raw))).toEqual([]);
    }
  });
});

describe('hasAttributeType', () => {
  it.each([
    ['string', 'a', true],
    ['string', 1, false],
    ['number', 1.5, true],
    ['number', Number.NaN, false],
    ['boolean', false, true],
    ['string[]', ['a', 'b'], true],
    ['string[]', ['a', 1], false],
    ['date', '2026-11-29T10:00:00Z', true],
    ['date', 'yesterday', false],
  ] as const)('%s accepts %j: %s', (type, value, expected) => {
    expect(hasAttributeType(type, value)).toBe(expected);
  });
});
