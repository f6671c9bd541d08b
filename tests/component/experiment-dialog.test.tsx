/**
 * The experiment form in jsdom: what it refuses before asking the server, with the message next to
 * the field, what it sends when the form is right (created, or a draft edited), and where a server
 * refusal appears.
 */
import { act, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import type { Experiment } from '../../admin/src/api';
import {
  ExperimentDialog,
  evenWeights,
  experimentFormProblems,
  formOf,
  updateRequestOf,
  type ExperimentForm,
} from '../../admin/src/components/ExperimentDialog';
import { ARTICLE_UID, settingsWith } from '../fixtures/admin-settings';

const mockGet = jest.fn();
const mockPost = jest.fn();
const mockPut = jest.fn();

class MockFetchError extends Error {
  constructor(
    message: string,
    public response: { data: unknown },
    public status: number
  ) {
    super(message);
  }
}

jest.mock('@strapi/strapi/admin', () => ({
  useFetchClient: () => ({ get: mockGet, post: mockPost, put: mockPut }),
  isFetchError: (error: unknown) => error instanceof MockFetchError,
}));

const SETTINGS = settingsWith({
  contentTypes: [{ uid: ARTICLE_UID, displayName: 'Article', kind: 'collectionType', localized: true, draftAndPublish: true, mainField: 'title' }],
  timeZone: 'UTC',
});

const BASE = { contentType: 'api::article.article', baseDocumentId: 'base1' };

beforeEach(() => {
  mockGet.mockReset();
  mockPost.mockReset();
  mockPut.mockReset();
  mockGet.mockImplementation(async (url: string) => {
    if (url === '/personalization/variants/api::article.article/base1') {
      return { data: { data: [{ key: 'outdoor', name: 'Outdoor fans' }, { key: 'city', name: 'City people' }] } };
    }
    if (url === '/personalization/segments') {
      return { data: { data: [{ key: 'hikers', name: 'Hikers' }, { key: 'cooks', name: 'Cooks' }] } };
    }
    throw new Error(`unexpected GET ${url}`);
  });
});

/** Renders the dialog and lets its requests (the base's variants, the segments) answer. */
async function renderDialog(experiment?: Experiment) {
  const onCreated = jest.fn();
  const user = userEvent.setup({ delay: null });
  render(
    <IntlProvider locale="en" messages={{}}>
      <DesignSystemProvider locale="en">
        <ExperimentDialog settings={SETTINGS} base={BASE} experiment={experiment} onClose={() => undefined} onCreated={onCreated} />
      </DesignSystemProvider>
    </IntlProvider>
  );
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return { user, onCreated };
}

async function chooseVariant(user: ReturnType<typeof userEvent.setup>, arm: number, name: string) {
  await user.click(screen.getByRole('combobox', { name: `What arm ${arm} serves` }));
  await user.click(await screen.findByRole('option', { name }));
}

async function fillValid(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Outdoor teaser');
  await chooseVariant(user, 2, 'Outdoor fans');
  await user.type(screen.getByRole('textbox', { name: /^Goals/ }), 'signup');
}

const submit = (user: ReturnType<typeof userEvent.setup>) => user.click(screen.getByRole('button', { name: 'Create experiment' }));

describe('the create-experiment form', () => {
  it('names every missing field and sends nothing', async () => {
    const { user } = await renderDialog();
    await submit(user);
    expect(await screen.findByText('Give the experiment a name.')).toBeTruthy();
    expect(screen.getByText('Use 1–64 of a-z, 0-9, _ and -, starting with a letter or digit.')).toBeTruthy();
    expect(screen.getByText('Choose what each arm serves: the base entry or one of its variants.')).toBeTruthy();
    expect(screen.getByText('Add at least one goal, such as signup.')).toBeTruthy();
    expect(mockPost).not.toHaveBeenCalled();
  });

  it('says what the weights add up to when it is not 100%', async () => {
    const { user } = await renderDialog();
    await fillValid(user);
    const weight = screen.getByLabelText('Weight of arm 2 in %');
    await user.clear(weight);
    await user.type(weight, '40');
    await submit(user);
    expect(await screen.findByText('The weights add up to 90%; they must add up to 100%.')).toBeTruthy();
    expect(mockPost).not.toHaveBeenCalled();
  });

  it('refuses two arms serving the same variant', async () => {
    const { user } = await renderDialog();
    await fillValid(user);
    await user.click(screen.getByRole('button', { name: 'Add an arm' }));
    await chooseVariant(user, 3, 'Outdoor fans');
    await user.clear(screen.getByRole('textbox', { name: 'Key of arm 3' }));
    await user.type(screen.getByRole('textbox', { name: 'Key of arm 3' }), 'again');
    await submit(user);
    expect(await screen.findByText('Each arm must serve something different.')).toBeTruthy();
    expect(mockPost).not.toHaveBeenCalled();
  });

  it('names a goal key that is not a key', async () => {
    const { user } = await renderDialog();
    await fillValid(user);
    await user.type(screen.getByRole('textbox', { name: /^Goals/ }), ', Sign Up');
    await submit(user);
    expect(await screen.findByText('Goal keys use a-z, 0-9, _ and -: “Sign Up” does not.')).toBeTruthy();
  });

  it('sends weights and coverage as shares of 1, with the key made from the name', async () => {
    mockPost.mockResolvedValue({ data: { data: { documentId: 'exp1', name: 'Outdoor teaser' } } });
    const { user, onCreated } = await renderDialog();
    await fillValid(user);
    await submit(user);
    await screen.findByRole('button', { name: 'Create experiment' });
    expect(mockPost).toHaveBeenCalledWith('/personalization/experiments', {
      contentType: 'api::article.article',
      baseDocumentId: 'base1',
      key: 'outdoor-teaser',
      name: 'Outdoor teaser',
      arms: [
        { key: 'control', variant: null, weight: 0.5 },
        { key: 'outdoor', variant: 'outdoor', weight: 0.5 },
      ],
      coverage: 1,
      goals: ['signup'],
      audience: null,
      segments: [],
    });
    expect(onCreated).toHaveBeenCalledWith({ documentId: 'exp1', name: 'Outdoor teaser' });
  });

  it('sends the segments chosen', async () => {
    mockPost.mockResolvedValue({ data: { data: { documentId: 'exp1' } } });
    const { user } = await renderDialog();
    await fillValid(user);
    await user.click(screen.getByRole('combobox', { name: /^Segments/ }));
    await user.click(await screen.findByRole('option', { name: 'Hikers' }));
    await user.keyboard('{Escape}');
    await submit(user);
    await screen.findByRole('button', { name: 'Create experiment' });
    expect(mockPost).toHaveBeenCalledWith('/personalization/experiments', expect.objectContaining({ segments: ['hikers'] }));
  });

  it('shows the server’s refusal next to the field it names', async () => {
    mockPost.mockRejectedValue(
      new MockFetchError(
        'Request failed',
        { data: { error: { status: 400, message: 'key: "outdoor-teaser" is already used by another experiment', details: { field: 'key' } } } },
        400
      )
    );
    const { user, onCreated } = await renderDialog();
    await fillValid(user);
    await submit(user);
    expect(await screen.findByText('"outdoor-teaser" is already used by another experiment')).toBeTruthy();
    expect(onCreated).not.toHaveBeenCalled();
  });
});

const DRAFT: Experiment = {
  id: 7,
  documentId: 'exp7',
  key: 'teaser',
  name: 'Teaser',
  ...BASE,
  arms: [
    { key: 'control', variant: null, weight: 0.5 },
    { key: 'outdoor', variant: 'outdoor', weight: 0.5 },
  ],
  coverage: 0.8,
  goals: ['signup', 'newsletter'],
  audience: null,
  segments: ['cooks'],
  status: 'draft',
  seed: 'seed',
  startedAt: null,
  stoppedAt: null,
  promotedArm: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('editing a draft experiment', () => {
  it('opens with the saved definition, in percent', async () => {
    await renderDialog(DRAFT);
    expect(screen.getByRole('heading', { name: 'Edit the draft experiment' })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: /^Name/ }) as HTMLInputElement).value).toBe('Teaser');
    expect((screen.getByRole('textbox', { name: /^Key(?! of arm)/ }) as HTMLInputElement).value).toBe('teaser');
    expect((screen.getByLabelText('Weight of arm 2 in %') as HTMLInputElement).value).toBe('50');
    expect((screen.getByRole('textbox', { name: /^Goals/ }) as HTMLInputElement).value).toBe('signup, newsletter');
    expect(await screen.findByText('Cooks')).toBeTruthy();
  });

  it('saves changed arms and weights with PUT, keeping the key when the name changes', async () => {
    mockPut.mockResolvedValue({ data: { data: { ...DRAFT, name: 'Teaser, three arms' } } });
    const { user, onCreated } = await renderDialog(DRAFT);
    const name = screen.getByRole('textbox', { name: /^Name/ });
    await user.clear(name);
    await user.type(name, 'Teaser, three arms');
    await user.click(screen.getByRole('button', { name: 'Add an arm' }));
    await chooseVariant(user, 3, 'City people');
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByRole('button', { name: 'Save draft' });
    expect(mockPost).not.toHaveBeenCalled();
    expect(mockPut).toHaveBeenCalledWith('/personalization/experiments/exp7', {
      key: 'teaser',
      name: 'Teaser, three arms',
      arms: [
        { key: 'control', variant: null, weight: 0.3334 },
        { key: 'outdoor', variant: 'outdoor', weight: 0.3333 },
        { key: 'city', variant: 'city', weight: 0.3333 },
      ],
      coverage: 0.8,
      goals: ['signup', 'newsletter'],
      audience: null,
      segments: ['cooks'],
    });
    expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ name: 'Teaser, three arms' }));
  });

  it('shows the server’s refusal of an experiment started meanwhile', async () => {
    mockPut.mockRejectedValue(
      new MockFetchError(
        'Request failed',
        { data: { error: { status: 400, message: 'arms: a running experiment cannot change its arms', details: { field: 'arms' } } } },
        400
      )
    );
    const { user, onCreated } = await renderDialog(DRAFT);
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(await screen.findByText('a running experiment cannot change its arms')).toBeTruthy();
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('round-trips a saved experiment through the form', () => {
    const form = formOf(DRAFT);
    expect(experimentFormProblems(form)).toEqual([]);
    const { contentType: _type, baseDocumentId: _base, id: _id, documentId: _doc, status: _status, seed: _seed, ...rest } = DRAFT;
    const { startedAt: _s, stoppedAt: _t, promotedArm: _p, createdAt: _c, updatedAt: _u, ...definition } = rest;
    expect(updateRequestOf(form)).toEqual(definition);
  });
});

describe('experimentFormProblems', () => {
  const valid: ExperimentForm = {
    ...BASE,
    name: 'Teaser',
    key: 'teaser',
    arms: [
      { key: 'control', variant: null, weight: 33.33 },
      { key: 'b', variant: 'b', weight: 33.33 },
      { key: 'c', variant: 'c', weight: 33.34 },
    ],
    coverage: 100,
    goals: 'signup, newsletter',
    audience: null,
    audienceComplete: true,
    segments: [],
  };

  it('accepts thirds that add up to 100 in hundredths', () => {
    expect(experimentFormProblems(valid)).toEqual([]);
  });

  it('refuses a single arm, duplicate keys, coverage over 100% and an incomplete audience', () => {
    expect(experimentFormProblems({ ...valid, arms: [valid.arms[0]] })).toEqual([{ field: 'arms', code: 'too-few' }]);
    expect(experimentFormProblems({ ...valid, arms: valid.arms.map((arm) => ({ ...arm, key: 'same' })) })).toEqual([
      { field: 'arms', code: 'key-duplicate' },
    ]);
    expect(experimentFormProblems({ ...valid, coverage: 120, audienceComplete: false })).toEqual([
      { field: 'coverage', code: 'range' },
      { field: 'audience', code: 'incomplete' },
    ]);
  });

  it('splits weights evenly in hundredths that add up to 100', () => {
    expect(evenWeights(3)).toEqual([33.34, 33.33, 33.33]);
    expect(evenWeights(2)).toEqual([50, 50]);
  });
});
