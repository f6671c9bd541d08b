import fs from 'fs';
import path from 'path';
import { parse } from '@formatjs/icu-messageformat-parser';
import { OPERATORS } from '../../../admin/src/rules/model';
import { BUILTIN_WORDS, OPERATOR_LABELS, SENTENCES, TYPED_OPERATOR_LABELS, TYPE_NAMES } from '../../../admin/src/hooks/useRuleWording';
import { DEFAULT_PURPOSE_TITLES } from '../../../admin/src/hooks/usePurposeTitles';
import { REASON_LABELS } from '../../../admin/src/hooks/useReasonLabel';
import en from '../../../admin/src/translations/en.json';
import de from '../../../admin/src/translations/de.json';

const ADMIN = path.resolve(__dirname, '../../../admin/src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every `t('id', 'English default')` and `getTranslation('id'), defaultMessage: '…'` in the admin code. */
function messagesInCode(): Map<string, string> {
  const found = new Map<string, string>();
  const call = /\bt\(\s*(['"`])([^'"`$]+)\1\s*,\s*(['"`])((?:\\.|(?!\3)[^\\])*)\3/gs;
  const descriptor = /getTranslation\('([^']+)'\),\s*defaultMessage:\s*'([^']*)'/g;
  for (const file of sources(ADMIN)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(call)) found.set(match[2], match[4].replace(/\\(['"])/g, '$1'));
    for (const match of text.matchAll(descriptor)) found.set(match[1], match[2]);
  }
  for (const [id, label] of Object.entries(OPERATOR_LABELS)) found.set(`rules.operator.${id}`, label);
  for (const [id, label] of Object.entries(TYPED_OPERATOR_LABELS)) found.set(`rules.operator.${id}`, label);
  for (const [id, sentence] of Object.entries(SENTENCES)) found.set(`rules.sentence.${id}`, sentence);
  for (const [name, words] of Object.entries(BUILTIN_WORDS)) {
    found.set(`rules.builtin.${name}.title`, words.title);
    found.set(`rules.builtin.${name}.description`, words.description);
  }
  for (const [type, name] of Object.entries(TYPE_NAMES)) found.set(`rules.type.${type === 'string[]' ? 'list' : type}`, name);
  for (const [code, label] of Object.entries(REASON_LABELS)) found.set(`reason.${code}`, label);
  for (const [key, title] of Object.entries(DEFAULT_PURPOSE_TITLES)) found.set(`purpose.${key}.title`, title);
  found.set('plugin.name', 'Personalization');
  return found;
}

describe('admin translations', () => {
  const english = en as Record<string, string>;
  const german = de as Record<string, string>;
  const inCode = messagesInCode();

  it('has German for every English message and nothing else', () => {
    expect(Object.keys(german).sort()).toEqual(Object.keys(english).sort());
  });

  it('holds only valid ICU messages (a stray brace would break the page)', () => {
    for (const [id, message] of [...Object.entries(english), ...Object.entries(german)]) {
      expect(() => parse(message)).not.toThrow();
      expect(id).toMatch(/^[a-zA-Z0-9.-]+$/);
    }
  });

  it('keeps each default message in the code equal to en.json', () => {
    const differing = [...inCode].filter(([id, text]) => english[id] !== text).map(([id]) => id);
    expect(differing).toEqual([]);
  });

  it('has no message the code never uses', () => {
    expect(Object.keys(english).filter((id) => !inCode.has(id))).toEqual([]);
  });

  it('labels every operator the builder offers, and says each as a sentence', () => {
    expect(OPERATORS.map((operator) => operator.id).filter((id) => !OPERATOR_LABELS[id])).toEqual([]);
    expect(OPERATORS.map((operator) => operator.id).filter((id) => !SENTENCES[id])).toEqual([]);
  });
});
