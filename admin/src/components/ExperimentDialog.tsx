/**
 * Creating an experiment, or editing a draft one: the base entry, name and key, the arms (the base
 * or a variant of it, each with a weight), coverage, goals, an optional audience and segments. The
 * form refuses what the server would refuse, and names the field; what only the server knows (a key
 * in use, a variant deleted meanwhile, an experiment started meanwhile) comes back from it next to
 * the same field.
 */
import * as React from 'react';
import {
  Box,
  Button,
  Combobox,
  ComboboxOption,
  Field,
  Flex,
  Grid,
  IconButton,
  Modal,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import {
  API,
  formFieldOf,
  problemOf,
  useResource,
  type Experiment,
  type ExperimentCreateRequest,
  type PluginSettings,
  type Segment,
  type VariantRecord,
} from '../api';
import type { ExperimentUpdateRequest } from '../../../shared/contracts';
import { useT } from '../hooks/useT';
import { RuleBuilder } from './RuleBuilder';
import { SegmentsField } from './SegmentsField';
import { keyFromName } from './VariantDialog';

const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The select's value for the arm that serves the base entry (variant null). */
const BASE = '__base';

export interface ArmDraft {
  key: string;
  /** null: the base entry; undefined: not chosen yet. */
  variant: string | null | undefined;
  /** Percent, 0–100. */
  weight: number | undefined;
}

export interface ExperimentForm {
  contentType: string;
  baseDocumentId: string;
  name: string;
  key: string;
  arms: ArmDraft[];
  /** Percent, 0–100. */
  coverage: number | undefined;
  /** Comma-separated goal keys. */
  goals: string;
  audience: unknown;
  audienceComplete: boolean;
  /** Segment keys; the visitor must be in every one. */
  segments: string[];
}

export type FormProblem =
  | { field: 'base'; code: 'missing' }
  | { field: 'name'; code: 'missing' }
  | { field: 'key'; code: 'pattern' }
  | { field: 'arms'; code: 'too-few' }
  | { field: 'arms'; code: 'variant-missing' }
  | { field: 'arms'; code: 'key-pattern' }
  | { field: 'arms'; code: 'key-duplicate' }
  | { field: 'arms'; code: 'variant-duplicate' }
  | { field: 'arms'; code: 'weights'; total: number }
  | { field: 'coverage'; code: 'range' }
  | { field: 'goals'; code: 'missing' }
  | { field: 'goals'; code: 'pattern'; goal: string }
  | { field: 'audience'; code: 'incomplete' };

export function goalsOf(text: string): string[] {
  return text
    .split(',')
    .map((goal) => goal.trim())
    .filter(Boolean);
}

/** What is wrong with the form, at most one problem per field, in the order the form shows them. */
export function experimentFormProblems(form: ExperimentForm): FormProblem[] {
  const problems: FormProblem[] = [];
  if (!form.contentType || !form.baseDocumentId) problems.push({ field: 'base', code: 'missing' });
  if (form.name.trim() === '') problems.push({ field: 'name', code: 'missing' });
  if (!KEY_PATTERN.test(form.key)) problems.push({ field: 'key', code: 'pattern' });

  const keys = form.arms.map((arm) => arm.key);
  const variants = form.arms.map((arm) => arm.variant);
  // Percent with two decimals, so 33.33 + 33.33 + 33.34 is exactly 100.
  const total = Math.round(form.arms.reduce((sum, arm) => sum + (arm.weight ?? 0), 0) * 100) / 100;
  if (form.arms.length < 2) problems.push({ field: 'arms', code: 'too-few' });
  else if (variants.some((variant) => variant === undefined)) problems.push({ field: 'arms', code: 'variant-missing' });
  else if (keys.some((key) => !KEY_PATTERN.test(key))) problems.push({ field: 'arms', code: 'key-pattern' });
  else if (new Set(keys).size < keys.length) problems.push({ field: 'arms', code: 'key-duplicate' });
  else if (new Set(variants).size < variants.length) problems.push({ field: 'arms', code: 'variant-duplicate' });
  else if (total !== 100 || form.arms.some((arm) => arm.weight === undefined || arm.weight < 0)) {
    problems.push({ field: 'arms', code: 'weights', total });
  }

  if (form.coverage === undefined || form.coverage < 0 || form.coverage > 100) problems.push({ field: 'coverage', code: 'range' });
  const goals = goalsOf(form.goals);
  const badGoal = goals.find((goal) => !KEY_PATTERN.test(goal));
  if (goals.length === 0) problems.push({ field: 'goals', code: 'missing' });
  else if (badGoal !== undefined) problems.push({ field: 'goals', code: 'pattern', goal: badGoal });
  if (!form.audienceComplete) problems.push({ field: 'audience', code: 'incomplete' });
  return problems;
}

/** A percent with up to two decimals as a share of 1, without float residue (33.34 → 0.3334, not 0.33340000000000003). */
const shareOf = (percent: number) => Math.round(percent * 100) / 10000;

/** The request body of a valid form: weights and coverage as shares of 1. */
export function createRequestOf(form: ExperimentForm): ExperimentCreateRequest {
  return {
    contentType: form.contentType,
    baseDocumentId: form.baseDocumentId,
    key: form.key,
    name: form.name.trim(),
    arms: form.arms.map((arm) => ({ key: arm.key, variant: arm.variant ?? null, weight: shareOf(arm.weight ?? 0) })),
    coverage: shareOf(form.coverage ?? 100),
    goals: goalsOf(form.goals),
    audience: form.audience,
    segments: form.segments,
  };
}

/** The form of a saved experiment, for editing it while it is a draft: weights and coverage in percent. */
export function formOf(experiment: Experiment): ExperimentForm {
  const percent = (share: number) => Math.round(share * 10000) / 100;
  return {
    contentType: experiment.contentType,
    baseDocumentId: experiment.baseDocumentId,
    name: experiment.name,
    key: experiment.key,
    arms: experiment.arms.map((arm) => ({ key: arm.key, variant: arm.variant, weight: percent(arm.weight) })),
    coverage: percent(experiment.coverage),
    goals: experiment.goals.join(', '),
    audience: experiment.audience ?? null,
    audienceComplete: true,
    segments: experiment.segments ?? [],
  };
}

/** The request body that saves an edited draft: everything but the entry, which an experiment keeps. */
export function updateRequestOf(form: ExperimentForm): ExperimentUpdateRequest {
  const { contentType: _type, baseDocumentId: _base, ...update } = createRequestOf(form);
  return update;
}

/** Splits 100% over `count` arms in hundredths, the remainder on the first. */
export function evenWeights(count: number): number[] {
  const share = Math.floor(10000 / count) / 100;
  const weights = Array.from({ length: count }, () => share);
  weights[0] = Math.round((100 - share * (count - 1)) * 100) / 100;
  return weights;
}

export interface ExperimentDialogProps {
  settings: PluginSettings;
  /** The entry to experiment on, when the dialog opens from it (the side panel); else the editor picks one. */
  base?: { contentType: string; baseDocumentId: string };
  /** A draft experiment to edit; without it the dialog creates one. */
  experiment?: Experiment;
  onClose(): void;
  /** The experiment as the server saved it (created, or edited). */
  onCreated(experiment: Experiment): void;
}

/** Where a message shows: a field the form checks, segments (checked by the server only), or the whole form. */
type ErrorField = FormProblem['field'] | 'segments' | 'form';

interface EntryOption {
  documentId: string;
  title: string;
}

/** The base entries of a type, for the picker: the Content Manager's own list, variants left out. */
function useBaseEntries(contentType: string, settings: PluginSettings, enabled: boolean) {
  const { get } = useFetchClient();
  const [entries, setEntries] = React.useState<EntryOption[] | undefined>();
  const type = settings.contentTypes.find((candidate) => candidate.uid === contentType);
  React.useEffect(() => {
    setEntries(undefined);
    if (!enabled || !type) return;
    let cancelled = false;
    const load = async (): Promise<EntryOption[]> => {
      if (type.kind === 'singleType') {
        const response = await get<{ data: { documentId: string } }>(`/content-manager/single-types/${type.uid}`);
        return [{ documentId: response.data.data.documentId, title: type.displayName }];
      }
      const response = await get<{ results: Array<Record<string, unknown>> }>(`/content-manager/collection-types/${type.uid}`, {
        params: { page: 1, pageSize: 100, sort: `${type.mainField}:ASC` },
      });
      return response.data.results
        .filter((row) => !row.variantOf)
        .map((row) => ({ documentId: String(row.documentId), title: String(row[type.mainField] ?? row.documentId) }));
    };
    load()
      .then((found) => !cancelled && setEntries(found))
      .catch(() => !cancelled && setEntries([]));
    return () => {
      cancelled = true;
    };
    // `get` is a new function on every render; the type decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [type?.uid, enabled]);
  return entries;
}

export const ExperimentDialog = ({ settings, base: fixedBase, experiment, onClose, onCreated }: ExperimentDialogProps) => {
  const t = useT();
  const { post, put } = useFetchClient();
  const base = experiment ?? fixedBase;
  const [form, setForm] = React.useState<ExperimentForm>(() => experiment ? formOf(experiment) : ({
    contentType: base?.contentType ?? '',
    baseDocumentId: base?.baseDocumentId ?? '',
    name: '',
    key: '',
    arms: [
      { key: 'control', variant: null, weight: 50 },
      { key: '', variant: undefined, weight: 50 },
    ],
    coverage: 100,
    goals: '',
    audience: null,
    audienceComplete: true,
    segments: [],
  }));
  const [keyEdited, setKeyEdited] = React.useState(experiment !== undefined);
  const [errors, setErrors] = React.useState<Partial<Record<ErrorField, string>>>({});
  const [attempted, setAttempted] = React.useState(false);
  const [submitting, setSubmitting] = React.useState(false);
  const entries = useBaseEntries(form.contentType, settings, !base);
  const variants = useResource<VariantRecord[]>(form.contentType && form.baseDocumentId ? API.variantsOf(form.contentType, form.baseDocumentId) : null);
  const segments = useResource<Segment[]>(API.segments);
  const title = experiment ? t('experiments.dialog.editTitle', 'Edit the draft experiment') : t('experiments.dialog.title', 'Create an experiment');

  const messageOf = (problem: FormProblem): string => {
    switch (problem.code) {
      case 'missing':
        return problem.field === 'base'
          ? t('experiments.error.base', 'Choose the entry to experiment on.')
          : problem.field === 'name'
            ? t('experiments.error.name', 'Give the experiment a name.')
            : t('experiments.error.goals', 'Add at least one goal, such as signup.');
      case 'pattern':
        return problem.field === 'key'
          ? t('experiments.error.key', 'Use 1–64 of a-z, 0-9, _ and -, starting with a letter or digit.')
          : t('experiments.error.goalPattern', 'Goal keys use a-z, 0-9, _ and -: “{goal}” does not.', { goal: problem.goal });
      case 'too-few':
        return t('experiments.error.tooFew', 'An experiment needs at least two arms.');
      case 'variant-missing':
        return t('experiments.error.variantMissing', 'Choose what each arm serves: the base entry or one of its variants.');
      case 'key-pattern':
        return t('experiments.error.armKey', 'Arm keys use 1–64 of a-z, 0-9, _ and -, starting with a letter or digit.');
      case 'key-duplicate':
        return t('experiments.error.armKeyDuplicate', 'Each arm needs a key of its own.');
      case 'variant-duplicate':
        return t('experiments.error.variantDuplicate', 'Each arm must serve something different.');
      case 'weights':
        return t('experiments.error.weights', 'The weights add up to {total}%; they must add up to 100%.', { total: problem.total });
      case 'range':
        return t('experiments.error.coverage', 'Coverage is a share from 0% to 100%.');
      case 'incomplete':
        return t('variant.error.audience', 'Complete or remove the highlighted conditions.');
    }
  };

  const update = (change: Partial<ExperimentForm>, clears: ErrorField[]) => {
    setForm((previous) => ({ ...previous, ...change }));
    setErrors((previous) => Object.fromEntries(Object.entries(previous).filter(([field]) => !clears.includes(field as ErrorField))));
  };
  const setArm = (index: number, change: Partial<ArmDraft>) =>
    update({ arms: form.arms.map((arm, position) => (position === index ? { ...arm, ...change } : arm)) }, ['arms']);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setAttempted(true);
    const problems = experimentFormProblems(form);
    setErrors(Object.fromEntries(problems.map((problem) => [problem.field, messageOf(problem)])));
    if (problems.length > 0) return;
    setSubmitting(true);
    try {
      const response = experiment
        ? await put<{ data: Experiment }>(API.experiment(experiment.documentId), updateRequestOf(form))
        : await post<{ data: Experiment }>(API.experiments, createRequestOf(form));
      onCreated(response.data.data);
    } catch (error) {
      const problem = problemOf(error);
      const field = formFieldOf(problem.field);
      const shown = field === 'contentType' || field === 'baseDocumentId' ? 'base' : field;
      const known = ['base', 'name', 'key', 'arms', 'coverage', 'goals', 'audience', 'segments'];
      setErrors(shown && known.includes(shown) ? { [shown]: problem.field === field ? problem.fieldMessage : problem.message } : { form: problem.message });
    } finally {
      setSubmitting(false);
    }
  };

  const variantOptions = variants.data ?? [];
  const baseTitle = settings.contentTypes.find((type) => type.uid === form.contentType)?.displayName;

  return (
    <Modal.Root open onOpenChange={(open: boolean) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={submit} noValidate aria-label={title}>
          <Modal.Header closeLabel={t('dialog.close', 'Close')}>
            <Modal.Title>{title}</Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={6}>
              <Typography variant="omega" textColor="neutral600">
                {t(
                  'experiments.dialog.intro',
                  'Visitors who grant measurement are split between the arms by weight; each keeps their arm. The experiment starts as a draft.'
                )}
              </Typography>
              {errors.form && (
                <Typography variant="omega" textColor="danger600" role="alert">
                  {errors.form}
                </Typography>
              )}

              {base ? (
                <Typography variant="omega">
                  {t('experiments.dialog.baseFixed', 'On this {type} entry.', { type: baseTitle ?? form.contentType })}
                </Typography>
              ) : (
                <Grid.Root gap={4}>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="contentType" required>
                      <Field.Label>{t('experiments.contentType', 'Content type')}</Field.Label>
                      <SingleSelect
                        value={form.contentType}
                        placeholder={t('experiments.contentType.placeholder', 'Choose a content type')}
                        onChange={(uid) => update({ contentType: String(uid), baseDocumentId: '' }, ['base', 'arms'])}
                      >
                        {settings.contentTypes.map((type) => (
                          <SingleSelectOption key={type.uid} value={type.uid}>
                            {type.displayName}
                          </SingleSelectOption>
                        ))}
                      </SingleSelect>
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="base" error={errors.base} required>
                      <Field.Label>{t('experiments.base', 'Entry')}</Field.Label>
                      <Combobox
                        value={form.baseDocumentId || undefined}
                        disabled={!form.contentType || !entries}
                        placeholder={t('experiments.base.placeholder', 'Choose the entry')}
                        onChange={(documentId?: string) => update({ baseDocumentId: documentId ?? '' }, ['base', 'arms'])}
                      >
                        {(entries ?? []).map((entry) => (
                          <ComboboxOption key={entry.documentId} value={entry.documentId}>
                            {entry.title}
                          </ComboboxOption>
                        ))}
                      </Combobox>
                      <Field.Error />
                    </Field.Root>
                  </Grid.Item>
                </Grid.Root>
              )}

              <Grid.Root gap={4}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="name" error={errors.name} required>
                    <Field.Label>{t('experiments.name', 'Name')}</Field.Label>
                    <TextInput
                      value={form.name}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        const name = event.target.value;
                        update(keyEdited ? { name } : { name, key: keyFromName(name) }, keyEdited ? ['name'] : ['name', 'key']);
                      }}
                    />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="key" error={errors.key} required hint={t('experiments.key.hint', 'Shown in the delivery label as experiment.')}>
                    <Field.Label>{t('experiments.key', 'Key')}</Field.Label>
                    <TextInput
                      value={form.key}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        setKeyEdited(true);
                        update({ key: event.target.value }, ['key']);
                      }}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>

              <Flex direction="column" alignItems="stretch" gap={2} role="group" aria-label={t('experiments.arms', 'Arms')}>
                <Typography variant="pi" fontWeight="bold" textColor="neutral800">
                  {t('experiments.arms', 'Arms')}
                </Typography>
                {form.arms.map((arm, index) => {
                  const number = index + 1;
                  return (
                    <Grid.Root key={index} gap={2}>
                      <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                        <TextInput
                          aria-label={t('experiments.arm.key', 'Key of arm {number}', { number })}
                          value={arm.key}
                          onChange={(event: React.ChangeEvent<HTMLInputElement>) => setArm(index, { key: event.target.value })}
                        />
                      </Grid.Item>
                      <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
                        <SingleSelect
                          aria-label={t('experiments.arm.variant', 'What arm {number} serves', { number })}
                          placeholder={t('experiments.arm.variant.placeholder', 'Choose the base or a variant')}
                          value={arm.variant === null ? BASE : (arm.variant ?? '')}
                          onChange={(value) => {
                            const variant = value === BASE ? null : String(value);
                            setArm(index, { variant, key: arm.key === '' && variant !== null ? variant : arm.key });
                          }}
                        >
                          <SingleSelectOption value={BASE}>{t('experiments.arm.base', 'The base entry')}</SingleSelectOption>
                          {variantOptions.map((variant) => (
                            <SingleSelectOption key={variant.key} value={variant.key}>
                              {variant.name}
                            </SingleSelectOption>
                          ))}
                        </SingleSelect>
                      </Grid.Item>
                      <Grid.Item col={3} s={10} direction="column" alignItems="stretch">
                        <NumberInput
                          aria-label={t('experiments.arm.weight', 'Weight of arm {number} in %', { number })}
                          value={arm.weight}
                          step={1}
                          onValueChange={(weight: number | undefined) => setArm(index, { weight })}
                        />
                      </Grid.Item>
                      <Grid.Item col={1} s={2} direction="column" alignItems="stretch">
                        <IconButton
                          label={t('experiments.arm.remove', 'Remove arm {number}', { number })}
                          variant="ghost"
                          disabled={form.arms.length <= 2}
                          onClick={() => {
                            const arms = form.arms.filter((_, position) => position !== index);
                            const weights = evenWeights(arms.length);
                            update({ arms: arms.map((kept, position) => ({ ...kept, weight: weights[position] })) }, ['arms']);
                          }}
                        >
                          <Trash />
                        </IconButton>
                      </Grid.Item>
                    </Grid.Root>
                  );
                })}
                {errors.arms && (
                  <Typography variant="pi" textColor="danger600" role="alert">
                    {errors.arms}
                  </Typography>
                )}
                <Box>
                  <Button
                    variant="tertiary"
                    startIcon={<Plus />}
                    onClick={() => {
                      const arms = [...form.arms, { key: '', variant: undefined, weight: 0 }];
                      const weights = evenWeights(arms.length);
                      update({ arms: arms.map((arm, position) => ({ ...arm, weight: weights[position] })) }, ['arms']);
                    }}
                  >
                    {t('experiments.arm.add', 'Add an arm')}
                  </Button>
                </Box>
              </Flex>

              <Grid.Root gap={4}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="coverage"
                    error={errors.coverage}
                    hint={t('experiments.coverage.hint', 'The share of eligible visitors enrolled; the others see the entry as usual.')}
                  >
                    <Field.Label>{t('experiments.coverage', 'Coverage in %')}</Field.Label>
                    <NumberInput value={form.coverage} step={1} onValueChange={(coverage: number | undefined) => update({ coverage }, ['coverage'])} />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="goals"
                    error={errors.goals}
                    required
                    hint={t('experiments.goals.hint', 'Comma-separated; the site posts these as conversion events.')}
                  >
                    <Field.Label>{t('experiments.goals', 'Goals')}</Field.Label>
                    <TextInput
                      value={form.goals}
                      placeholder="signup"
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => update({ goals: event.target.value }, ['goals'])}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>

              <SegmentsField
                segments={segments}
                value={form.segments}
                onChange={(keys) => update({ segments: keys }, ['segments'])}
                error={errors.segments}
                hint={t('experiments.segments.hint', 'Only visitors in every segment chosen here are enrolled.')}
              />

              {/* Not a Field.Root: its label would name every select inside the builder. */}
              <Flex direction="column" alignItems="stretch" gap={1}>
                <Typography variant="pi" fontWeight="bold" textColor="neutral800">
                  {t('experiments.audience', 'Audience (optional)')}
                </Typography>
                <RuleBuilder
                  label={t('experiments.audience', 'Audience (optional)')}
                  value={form.audience}
                  attributes={settings.attributes}
                  locales={settings.locales}
                  showIncomplete={attempted}
                  onChange={(audience, audienceComplete) => update({ audience, audienceComplete }, ['audience'])}
                />
                {errors.audience && (
                  <Typography variant="pi" textColor="danger600" role="alert">
                    {errors.audience}
                  </Typography>
                )}
              </Flex>

            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Button variant="tertiary" onClick={onClose}>
              {t('dialog.cancel', 'Cancel')}
            </Button>
            <Button type="submit" loading={submitting}>
              {experiment ? t('experiments.dialog.save', 'Save draft') : t('experiments.dialog.submit', 'Create experiment')}
            </Button>
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
};
