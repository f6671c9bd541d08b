/** The simulator's line about the experiment running on an entry, in jsdom. */
import { render, screen } from '@testing-library/react';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import type { ExperimentStanding } from '../../shared/contracts';
import { ExperimentStandingNote } from '../../admin/src/components/ExperimentStandingNote';

function renderNote(standing: ExperimentStanding) {
  render(
    <IntlProvider locale="en" messages={{}}>
      <DesignSystemProvider locale="en">
        <ExperimentStandingNote standing={standing} />
      </DesignSystemProvider>
    </IntlProvider>
  );
  return screen.getByTestId('simulated-experiment').textContent;
}

const arms = [
  { key: 'control', variant: null, weight: 0.5 },
  { key: 'summer', variant: 'summer', weight: 0.5 },
];

describe('ExperimentStandingNote', () => {
  it('lists the arms an eligible visitor gets by weight', () => {
    expect(renderNote({ key: 'hero', enrolled: 'by-weight', coverage: 1, arms })).toBe(
      'Experiment hero: such visitors take part, each keeping one arm by weight: control (base entry) 50%, summer 50%.'
    );
  });

  it('says what share takes part when the coverage is partial', () => {
    expect(renderNote({ key: 'hero', enrolled: 'by-weight', coverage: 0.25, arms })).toMatch(/^Experiment hero: 25% of such visitors take part/);
  });

  it('says why a visitor is not in it', () => {
    expect(renderNote({ key: 'hero', enrolled: false, reason: 'consent-missing' })).toBe('Not in experiment hero: consent to its purpose is not granted.');
  });
});
