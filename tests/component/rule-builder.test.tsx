/**
 * The audience builder as editors use it, rendered in jsdom with the design system: every rule it
 * can show comes back out unchanged, edits through its controls write the JSON Logic they say, and
 * what it writes reads back the same. The pure conversion has its own tests in tests/unit/admin.
 */
import * as React from 'react';
import { render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import type { Locale } from '../../admin/src/api';
import { RuleBuilder } from '../../admin/src/components/RuleBuilder';
import { CATALOGUE } from '../fixtures/rule-catalogue';

// Each test clicks through Radix menus in jsdom: slow on a loaded machine.
jest.setTimeout(300_000);

const LOCALES: Locale[] = [
  { code: 'en', name: 'English (en)', isDefault: true },
  { code: 'de', name: 'German (de)', isDefault: false },
];

/** A parent that stores what the builder emits and hands it back, as the variant dialog does. */
function Controlled({ initial, record, personalAllowed }: { initial: unknown; record: (rule: unknown, complete: boolean) => void; personalAllowed?: boolean }) {
  const [rule, setRule] = React.useState(initial);
  return (
    <RuleBuilder
      label="Audience"
      value={rule}
      attributes={CATALOGUE}
      locales={LOCALES}
      personalAllowed={personalAllowed}
      onChange={(next, complete) => {
        setRule(next);
        record(next, complete);
      }}
    />
  );
}

function renderBuilder(initial: unknown, { personalAllowed }: { personalAllowed?: boolean } = {}) {
  const record = jest.fn<void, [unknown, boolean]>();
  const user = userEvent.setup({ delay: null });
  const view = render(
    <IntlProvider locale="en" messages={{}}>
      <DesignSystemProvider locale="en">
        <Controlled initial={initial} record={record} personalAllowed={personalAllowed} />
      </DesignSystemProvider>
    </IntlProvider>
  );
  const last = () => {
    expect(record).toHaveBeenCalled();
    const [rule, complete] = record.mock.calls[record.mock.calls.length - 1];
    return { rule, complete };
  };
  return { user, record, last, unmount: view.unmount };
}

type Builder = ReturnType<typeof renderBuilder>;

/**
 * Makes the builder emit without changing the rule: adds a condition to the outer group and
 * removes it again. What it emits then is its reading of the rule it was given.
 */
async function emitUnchanged({ user, last }: Builder) {
  const builder = screen.getByRole('group', { name: 'Audience' });
  const addButtons = within(builder).getAllByRole('button', { name: 'Add condition' });
  await user.click(addButtons[addButtons.length - 1]);
  expect(last().complete).toBe(false);
  const removeButtons = within(builder).getAllByRole('button', { name: 'Remove condition' });
  await user.click(removeButtons[removeButtons.length - 1]);
  return last();
}

/** The rule as the builder's "Edit as JSON" view shows it. */
async function shownAsJson({ user }: Builder) {
  await user.click(screen.getByRole('button', { name: 'Edit as JSON' }));
  return parseEditor();
}

function parseEditor() {
  const content = document.querySelector('.cm-content');
  if (!content) throw new Error('no JSON editor on screen');
  return JSON.parse(content.textContent ?? '');
}

const SUPPORTED: Array<[string, unknown]> = [
  ['no audience', null],
  ['text: string equals', { '==': [{ var: 'country' }, 'DE'] }],
  ['text: string[] contains', { contains: [{ var: 'interests' }, 'outdoor'] }],
  ['text: string[] includes exactly (attribute last)', { in: ['outdoor', { var: 'interests' }] }],
  ['text: app version', { semver_gte: [{ var: 'appVersion' }, '2.1.0'] }],
  ['comma list: string is one of', { in: [{ var: 'country' }, ['DE', 'AT', 'CH']] }],
  ['number', { '>=': [{ var: 'score' }, 10] }],
  ['number range (attribute in the middle)', { '<=': [9, { var: 'hour' }, 17] }],
  ['boolean select', { '==': [{ var: 'subscriber' }, false] }],
  ['weekday select', { '==': [{ var: 'weekday' }, 0] }],
  ['weekday multi-select', { in: [{ var: 'weekday' }, [6, 0]] }],
  ['locale select', { '!=': [{ var: 'locale' }, 'de'] }],
  ['locale multi-select', { in: [{ var: 'locale' }, ['en', 'de']] }],
  ['date picker', { before: [{ var: 'now' }, '2026-12-24T00:00:00.000Z'] }],
  ['date window', { between: [{ var: 'now' }, '2026-12-01T00:00:00.000Z', '2027-01-07T00:00:00.000Z'] }],
  ['and of conditions', { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '>=': [{ var: 'hour' }, 9] }] }],
  [
    'or inside and',
    {
      and: [
        { contains: [{ var: 'interests' }, 'outdoor'] },
        { or: [{ '==': [{ var: 'country' }, 'DE'] }, { '==': [{ var: 'country' }, 'AT'] }] },
      ],
    },
  ],
  ['negated condition', { '!': { '==': [{ var: 'locale' }, 'de'] } }],
  ['negated group', { '!': { or: [{ '==': [{ var: 'weekday' }, 0] }, { '==': [{ var: 'weekday' }, 6] }] } }],
  ['double negation', { '!': { '!': { '>': [{ var: 'score' }, 10] } } }],
  [
    'negated group inside a group',
    {
      or: [
        { '<': [{ var: 'score' }, 3] },
        { '!': { and: [{ '==': [{ var: 'subscriber' }, true] }, { starts_with: [{ var: 'device' }, 'ios'] }] } },
      ],
    },
  ],
];

describe('rule builder: JSON Logic → builder → JSON Logic', () => {
  it.each(SUPPORTED)('emits and shows "%s" unchanged, also after a trip through its JSON view', async (_name, rule) => {
    const builder = renderBuilder(rule);
    expect(await emitUnchanged(builder)).toEqual({ rule, complete: true });
    expect(await shownAsJson(builder)).toEqual(rule);
    await builder.user.click(screen.getByRole('button', { name: 'Back to the builder' }));
    expect(await emitUnchanged(builder)).toEqual({ rule, complete: true });
  });
});

const combobox = (name: string) => screen.getByRole('combobox', { name });
const inputValue = (element: HTMLElement) => (element as HTMLInputElement).value;

async function choose({ user }: Builder, control: HTMLElement, option: string) {
  await user.click(control);
  await user.click(await screen.findByRole('option', { name: option }));
}

/** Renders what the builder wrote in a fresh builder: it must read back as the same rule. */
async function readsBack(builder: Builder) {
  const { rule } = builder.last();
  builder.unmount();
  const fresh = renderBuilder(rule);
  expect(await emitUnchanged(fresh)).toEqual({ rule, complete: true });
  return fresh;
}

describe('rule builder: edits through its controls', () => {
  it('keeps the value when another operator takes the same kind of value, and writes what is typed', async () => {
    const builder = renderBuilder({ '==': [{ var: 'country' }, 'DE'] });
    await choose(builder, combobox('Operator'), 'is not');
    expect(builder.last()).toEqual({ rule: { '!=': [{ var: 'country' }, 'DE'] }, complete: true });

    const value = screen.getByRole('textbox', { name: 'Value' });
    await builder.user.clear(value);
    expect(builder.last()).toEqual({ rule: { '!=': [{ var: 'country' }, ''] }, complete: false });
    await builder.user.type(value, 'AT');
    expect(builder.last()).toEqual({ rule: { '!=': [{ var: 'country' }, 'AT'] }, complete: true });

    await readsBack(builder);
    expect(combobox('Operator').textContent).toBe('is not');
    expect(inputValue(screen.getByRole('textbox', { name: 'Value' }))).toBe('AT');
  });

  it('asks for two numbers for "is from … to …" and writes the attribute between them', async () => {
    const builder = renderBuilder({ '>=': [{ var: 'hour' }, 9] });
    await choose(builder, combobox('Operator'), 'is from … to …');
    expect(builder.last()).toEqual({ rule: { '<=': [null, { var: 'hour' }, null] }, complete: false });

    await builder.user.type(screen.getByRole('textbox', { name: 'From' }), '9');
    expect(builder.last()).toEqual({ rule: { '<=': [9, { var: 'hour' }, null] }, complete: false });
    await builder.user.type(screen.getByRole('textbox', { name: 'To' }), '17');
    expect(builder.last()).toEqual({ rule: { '<=': [9, { var: 'hour' }, 17] }, complete: true });

    await readsBack(builder);
    expect(inputValue(screen.getByRole('textbox', { name: 'From' }))).toBe('9');
    expect(inputValue(screen.getByRole('textbox', { name: 'To' }))).toBe('17');
  });

  it('reads a comma-separated list for "is one of"', async () => {
    const builder = renderBuilder({ '==': [{ var: 'country' }, 'DE'] });
    await choose(builder, combobox('Operator'), 'is one of');
    expect(builder.last()).toEqual({ rule: { in: [{ var: 'country' }, []] }, complete: false });

    await builder.user.type(screen.getByRole('textbox', { name: 'Value' }), 'DE, AT,CH');
    expect(builder.last()).toEqual({ rule: { in: [{ var: 'country' }, ['DE', 'AT', 'CH']] }, complete: true });

    await readsBack(builder);
    expect(inputValue(screen.getByRole('textbox', { name: 'Value' }))).toBe('DE, AT, CH');
  });

  it('writes weekdays picked by name as their numbers', async () => {
    const builder = renderBuilder({ in: [{ var: 'weekday' }, [6]] });
    await choose(builder, combobox('Value'), 'Sunday');
    expect(builder.last()).toEqual({ rule: { in: [{ var: 'weekday' }, [6, 0]] }, complete: true });
    await readsBack(builder);
  });

  it('starts over with the first operator of the new type when the attribute changes type', async () => {
    const builder = renderBuilder({ '==': [{ var: 'country' }, 'DE'] });
    await choose(builder, combobox('Attribute'), 'Hour (no consent needed)');
    expect(builder.last()).toEqual({ rule: { '==': [{ var: 'hour' }, null] }, complete: false });

    await builder.user.type(screen.getByRole('textbox', { name: 'Value' }), '8');
    expect(builder.last()).toEqual({ rule: { '==': [{ var: 'hour' }, 8] }, complete: true });
    await readsBack(builder);
  });

  it('negates and switches a group to "or" through its match menu', async () => {
    const rule = { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '>=': [{ var: 'hour' }, 9] }] };
    const builder = renderBuilder(rule);
    await choose(builder, combobox('Match'), 'None of these is true');
    expect(builder.last()).toEqual({ rule: { '!': { or: rule.and } }, complete: true });

    await readsBack(builder);
    expect(combobox('Match').textContent).toBe('None of these is true');
  });

  it('writes a lone condition without a group once the other one is removed', async () => {
    const builder = renderBuilder({ and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '>=': [{ var: 'hour' }, 9] }] });
    await builder.user.click(screen.getAllByRole('button', { name: 'Remove condition' })[0]);
    expect(builder.last()).toEqual({ rule: { '>=': [{ var: 'hour' }, 9] }, complete: true });
    await readsBack(builder);
  });

  it('writes no audience once the last condition is removed', async () => {
    const builder = renderBuilder({ '==': [{ var: 'subscriber' }, true] });
    await builder.user.click(screen.getByRole('button', { name: 'Remove condition' }));
    expect(builder.last()).toEqual({ rule: null, complete: true });
    expect(screen.queryByText('No conditions: everyone is in this audience.')).not.toBeNull();
  });
});

describe('rule builder: rules it cannot show', () => {
  it.each<[string, unknown, string]>([
    ['an operator the builder does not offer', { if: [{ var: 'subscriber' }, true, false] }, 'this "if" condition'],
    ['an attribute outside the catalogue', { '==': [{ var: 'shoeSize' }, 42] }, 'unknown attribute "shoeSize"'],
  ])('opens %s in the JSON editor, says why, and leaves it as it is', async (_name, rule, reason) => {
    const builder = renderBuilder(rule);
    expect(screen.queryByText(`The builder cannot show ${reason}; edit the rule as JSON.`)).not.toBeNull();
    expect(parseEditor()).toEqual(rule);
    expect(screen.queryByRole('button', { name: 'Add condition' })).toBeNull();

    await builder.user.click(screen.getByRole('button', { name: 'Back to the builder' }));
    expect(screen.queryByText(`The builder cannot show ${reason}; edit the rule as JSON.`)).not.toBeNull();
    expect(screen.queryByRole('combobox', { name: 'Operator' })).toBeNull();
    expect(builder.record).not.toHaveBeenCalled();
  });
});

/** The builder's own alerts (the design system keeps an empty live region with role alert). */
const builderAlert = () => within(screen.getByRole('group', { name: 'Audience' })).queryByRole('alert');

const optionsOf = async (builder: Builder, control: HTMLElement) => {
  await builder.user.click(control);
  const options = (await screen.findAllByRole('option')).map((option) => option.textContent);
  await builder.user.keyboard('{Escape}');
  return options;
};

describe('rule builder: what the catalogue allows', () => {
  it('names attributes by their title and explains them', async () => {
    const builder = renderBuilder({ '==': [{ var: 'ageGroup' }, '18-24'] });
    expect(combobox('Attribute').textContent).toBe('Age group (needs personalization)');
    expect(screen.queryByText('The age range the visitor chose.')).not.toBeNull();
    const attributes = await optionsOf(builder, combobox('Attribute'));
    expect(attributes).toContain('Hour (no consent needed)');
    expect(attributes).not.toContain('hour (no consent needed)');
  });

  it('offers the listed values of an attribute as a menu, and only the operators it allows', async () => {
    const builder = renderBuilder({ '==': [{ var: 'ageGroup' }, '18-24'] });
    expect(await optionsOf(builder, combobox('Operator'))).toEqual(['is exactly', 'is not', 'is one of']);
    expect(screen.queryByRole('textbox', { name: 'Value' })).toBeNull();
    expect(await optionsOf(builder, combobox('Value'))).toEqual(['18-24', '25-34', '35+']);
    await choose(builder, combobox('Value'), '25-34');
    expect(builder.last()).toEqual({ rule: { '==': [{ var: 'ageGroup' }, '25-34'] }, complete: true });

    await choose(builder, combobox('Operator'), 'is one of');
    await choose(builder, combobox('Value'), '35+');
    expect(builder.last()).toEqual({ rule: { in: [{ var: 'ageGroup' }, ['35+']] }, complete: true });
    await readsBack(builder);
  });

  it('offers version comparisons for a version, never for text such as a country', async () => {
    const builder = renderBuilder({ '==': [{ var: 'country' }, 'DE'] });
    const forCountry = await optionsOf(builder, combobox('Operator'));
    expect(forCountry).toEqual([
      'is exactly',
      'is not',
      'is one of',
      'contains (any part, any case)',
      'contains (same case)',
      'starts with',
      'ends with',
    ]);
    await choose(builder, combobox('Attribute'), 'App version (needs functional)');
    expect(await optionsOf(builder, combobox('Operator'))).toEqual([
      'is',
      'is not',
      'is one of',
      'is version … or later',
      'is a version later than',
      'is version … or earlier',
      'is a version earlier than',
    ]);
  });

  it('explains "contains" apart from "is exactly" on lists too', async () => {
    const builder = renderBuilder({ contains: [{ var: 'interests' }, 'outdoor'] });
    expect(await optionsOf(builder, combobox('Operator'))).toEqual(['includes (any case)', 'includes (same case)']);
  });

  it('refuses an hour outside 0–23 at the field, until it is corrected', async () => {
    const builder = renderBuilder({ '>=': [{ var: 'hour' }, 9] });
    const value = screen.getByRole('textbox', { name: 'Value' });
    await builder.user.clear(value);
    await builder.user.type(value, '25');
    expect(builder.last()).toEqual({ rule: { '>=': [{ var: 'hour' }, 25] }, complete: false });
    expect(value.getAttribute('aria-invalid')).toBe('true');
    expect(builderAlert()?.textContent).toBe('Hour runs from 0 to 23: 25 is outside.');

    await builder.user.clear(value);
    await builder.user.type(value, '23');
    expect(builder.last()).toEqual({ rule: { '>=': [{ var: 'hour' }, 23] }, complete: true });
    expect(value.getAttribute('aria-invalid')).toBe('false');
    expect(builderAlert()).toBeNull();
  });

  it('refuses a stored value the catalogue does not list', () => {
    renderBuilder({ '==': [{ var: 'ageGroup' }, 'teenagers'] });
    expect(builderAlert()?.textContent).toBe('“teenagers” is not a value of Age group. Choose one of: “18-24”, “25-34”, “35+”.');
  });

  it('offers a mass variant only attributes that need no consent, and marks one it already reads', async () => {
    const builder = renderBuilder({ contains: [{ var: 'interests' }, 'outdoor'] }, { personalAllowed: false });
    expect(combobox('Attribute').closest('[data-invalid="true"]')).not.toBeNull();
    expect(await optionsOf(builder, combobox('Attribute'))).toEqual([
      'interests (needs personalization)',
      'Date and time (no consent needed)',
      'Weekday (no consent needed)',
      'Hour (no consent needed)',
      'Locale (no consent needed)',
    ]);
  });
});
