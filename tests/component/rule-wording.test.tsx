/**
 * Audiences in words, as the side panel, the segments list and the builder show them, in English
 * and German: sentences, days by name, human type names, and a mass match that is not "for everyone".
 */
import { render, screen } from '@testing-library/react';
import { IntlProvider } from 'react-intl';
import { useReasonLabel } from '../../admin/src/hooks/useReasonLabel';
import { useRuleWording } from '../../admin/src/hooks/useRuleWording';
import { describeRule } from '../../admin/src/rules/describe';
import de from '../../admin/src/translations/de.json';
import { CATALOGUE } from '../fixtures/rule-catalogue';

const GERMAN = Object.fromEntries(Object.entries(de).map(([id, text]) => [`personalization.${id}`, text]));

const Words = ({ rule }: { rule: unknown }) => {
  const { wording } = useRuleWording();
  return <p data-testid="words">{describeRule(rule, CATALOGUE, wording)}</p>;
};

const Labels = () => {
  const { typeName } = useRuleWording();
  const reason = useReasonLabel();
  return (
    <>
      <p data-testid="types">{(['string', 'string[]', 'number', 'boolean', 'date', 'version'] as const).map(typeName).join(' | ')}</p>
      <p data-testid="mass">{reason('mass-match')}</p>
    </>
  );
};

function words(rule: unknown, locale: 'en' | 'de' = 'en') {
  const view = render(
    <IntlProvider locale={locale} messages={locale === 'de' ? GERMAN : {}}>
      <Words rule={rule} />
    </IntlProvider>
  );
  const text = screen.getByTestId('words').textContent;
  view.unmount();
  return text;
}

describe('an audience in words', () => {
  it.each<[string, unknown, string, string]>([
    ['an hour range', { '<=': [8, { var: 'hour' }, 17] }, 'Hour is from 8 to 17', 'Stunde liegt von 8 bis 17'],
    ['weekdays by name', { in: [{ var: 'weekday' }, [6, 0]] }, 'Weekday is Saturday or Sunday', 'Wochentag ist Samstag oder Sonntag'],
    ['one weekday', { '==': [{ var: 'weekday' }, 1] }, 'Weekday is Monday', 'Wochentag ist Montag'],
    ['a list of values', { in: [{ var: 'country' }, ['DE', 'AT', 'CH']] }, 'country is “DE”, “AT”, or “CH”', 'country ist „DE“, „AT“ oder „CH“'],
    [
      'a version and a condition',
      { and: [{ semver_gte: [{ var: 'appVersion' }, '2.1.0'] }, { contains: [{ var: 'interests' }, 'outdoor'] }] },
      'App version is version “2.1.0” or later and interests contains “outdoor”',
      'App version ist Version „2.1.0“ oder neuer und interests enthält „outdoor“',
    ],
  ])('reads %s as a sentence in English and German', (_name, rule, english, german) => {
    expect(words(rule)).toBe(english);
    expect(words(rule, 'de')).toBe(german);
  });

  it('names types for people and never calls a mass match "for everyone"', () => {
    render(
      <IntlProvider locale="en" messages={{}}>
        <Labels />
      </IntlProvider>
    );
    expect(screen.getByTestId('types').textContent).toBe('text | list of texts | number | yes or no | date and time | version number');
    expect(screen.getByTestId('mass').textContent).not.toMatch(/everyone applies/);
  });
});
