import { parseConfig } from '../../../server/src/config/schema';

const attribute = (extra: Record<string, unknown>, type = 'string') => ({
  attributes: { ageGroup: { type, source: 'token', purpose: 'personalization', ...extra } },
});

describe('catalogue values and ranges in the config', () => {
  it('accepts title, description, values and labels on a string, min and max on a number', () => {
    const config = parseConfig({
      attributes: {
        ageGroup: { type: 'string', source: 'token', purpose: 'personalization', title: 'Age group', values: ['18-24', '25-34'], labels: { '18-24': '18 to 24' } },
        interests: { type: 'string[]', source: 'token', purpose: 'marketing', values: ['sport', 'news'] },
        score: { type: 'number', source: 'token', purpose: 'marketing', min: 0, max: 10 },
        appVersion: { type: 'version', source: 'context', purpose: 'functional' },
      },
    });
    expect(config.attributes.ageGroup).toMatchObject({ title: 'Age group', values: ['18-24', '25-34'], labels: { '18-24': '18 to 24' } });
    expect(config.attributes.score).toMatchObject({ min: 0, max: 10 });
    expect(config.attributes.appVersion.type).toBe('version');
  });

  it.each([
    [attribute({ values: [] }), /attributes\.ageGroup\.values/],
    [attribute({ values: ['a', 'a'] }), /attributes\.ageGroup\.values\.1: duplicate value "a"/],
    [attribute({ values: ['a'] }, 'number'), /attributes\.ageGroup\.values: only a string or string\[\] attribute has values/],
    [attribute({ values: [3] }), /attributes\.ageGroup\.values\.0/],
    [attribute({ min: 1 }), /attributes\.ageGroup\.min: only a number attribute has min/],
    [attribute({ min: 5, max: 1 }, 'number'), /attributes\.ageGroup\.max: must be at least min \(5\)/],
    [attribute({ max: 'ten' }, 'number'), /attributes\.ageGroup\.max/],
    [attribute({ values: ['a'], labels: { b: 'B' } }), /attributes\.ageGroup\.labels\.b: "b" is not one of values/],
    [attribute({ title: '' }), /attributes\.ageGroup\.title/],
    [attribute({ choices: ['a'] }), /attributes\.ageGroup: .*choices/],
  ])('refuses %j naming the field', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });
});
