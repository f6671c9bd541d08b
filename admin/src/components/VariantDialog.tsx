/**
 * A variant's settings: name, kind, audience, segments, consent purposes, schedule, locales.
 * Creating one clones the base entry on the server; the caller then opens the new document.
 */
import * as React from 'react';
import {
  Box,
  Button,
  Checkbox,
  DateTimePicker,
  Field,
  Flex,
  Grid,
  Modal,
  MultiSelect,
  MultiSelectOption,
  Radio,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  API,
  formFieldOf,
  problemOf,
  useResource,
  type EnabledContentType,
  type PluginSettings,
  type Segment,
  type VariantKind,
  type VariantRecord,
  type VariantSettings,
} from '../api';
import { useFocusFirstError } from '../hooks/useFocusFirstError';
import { usePurposeTitles } from '../hooks/usePurposeTitles';
import { useT } from '../hooks/useT';
import { attributesReadBy, purposesReadBy } from '../rules/convert';
import { useSchedule } from '../utils/schedule';
import { RuleBuilder } from './RuleBuilder';
import { SegmentsField } from './SegmentsField';

const PERSONALIZATION = 'personalization';
const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function keyFromName(name: string): string {
  const key = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return key || 'variant';
}

interface FormState extends VariantSettings {
  key: string;
  keyEdited: boolean;
  audienceComplete: boolean;
}

function initialState(variant: VariantRecord | undefined): FormState {
  return {
    name: variant?.name ?? '',
    key: variant?.key ?? '',
    keyEdited: Boolean(variant),
    kind: variant?.kind ?? 'targeted',
    audience: variant?.audience ?? null,
    audienceComplete: true,
    segments: variant?.segments ?? [],
    requiredPurposes: variant?.requiredPurposes ?? [],
    startsAt: variant?.startsAt ?? null,
    endsAt: variant?.endsAt ?? null,
    enabled: variant?.enabled ?? true,
    locales: variant?.locales ?? null,
  };
}

export interface VariantDialogProps {
  open: boolean;
  onOpenChange(open: boolean): void;
  contentType: EnabledContentType;
  baseDocumentId: string;
  /** Absent: create a new variant. */
  variant?: VariantRecord;
  settings: PluginSettings;
  onSaved(record: VariantRecord): void;
}

export const VariantDialog = ({ open, onOpenChange, contentType, baseDocumentId, variant, settings, onSaved }: VariantDialogProps) => {
  const t = useT();
  const { post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { container, focusFirstError } = useFocusFirstError<HTMLFormElement>();
  const [form, setForm] = React.useState<FormState>(() => initialState(variant));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [submitting, setSubmitting] = React.useState(false);
  const [attempted, setAttempted] = React.useState(false);
  const segments = useResource<Segment[]>(open ? API.segments : null);
  const schedule = useSchedule(settings.timeZone);

  React.useEffect(() => {
    if (open) {
      setForm(initialState(variant));
      setErrors({});
      setAttempted(false);
    }
  }, [open, variant]);

  const set = <K extends keyof FormState>(field: K, value: FormState[K]) => {
    setForm((previous) => ({ ...previous, [field]: value }));
    setErrors((previous) => {
      const { [field as string]: _, ...rest } = previous;
      return rest;
    });
  };

  const purposeTitle = usePurposeTitles(settings.purposes);
  const purposeKeys = React.useMemo(() => settings.purposes.map((purpose) => purpose.key), [settings.purposes]);
  /** Purposes the variant needs whatever the editor ticks, and why. */
  const implied = React.useMemo(() => {
    const why = new Map<string, 'audience' | 'targeted'>();
    const fromRules = new Set(purposesReadBy(form.audience, settings.attributes));
    for (const key of form.segments) {
      const segment = segments.data?.find((candidate) => candidate.key === key);
      if (segment) purposesReadBy(segment.rule, settings.attributes).forEach((purpose) => fromRules.add(purpose));
    }
    fromRules.forEach((purpose) => why.set(purpose, 'audience'));
    if (form.kind === 'targeted' && purposeKeys.includes(PERSONALIZATION) && !why.has(PERSONALIZATION)) {
      why.set(PERSONALIZATION, 'targeted');
    }
    return why;
  }, [form.audience, form.segments, form.kind, segments.data, settings.attributes, purposeKeys]);

  /** Attributes that need consent, read by the audience: a mass variant may read none of them. */
  const personalRead = React.useMemo(() => {
    const personal = new Set(settings.attributes.filter((attribute) => attribute.personal).map((attribute) => attribute.name));
    return attributesReadBy(form.audience).filter((name) => personal.has(name));
  }, [form.audience, settings.attributes]);
  const massRefusesAudience = form.kind === 'mass' && personalRead.length > 0;
  /**
   * The purposes a mass variant keeps on save: none for a new one or one that was targeted, but a mass
   * variant saved with purposes (the API accepts them and delivery requires them) keeps them, shown
   * instead of the consent boxes, until the editor removes them; saving its name must not widen its audience.
   */
  const keptPurposes = form.kind === 'mass' && variant?.kind === 'mass' ? form.requiredPurposes : [];
  const personalSegment = (key: string) =>
    purposesReadBy(segments.data?.find((candidate) => candidate.key === key)?.rule ?? null, settings.attributes).length > 0;

  const validate = (): Record<string, string> => {
    const found: Record<string, string> = {};
    if (form.name.trim() === '') found.name = t('variant.error.name', 'Give the variant a name.');
    if (!variant && !KEY_PATTERN.test(form.key)) {
      found.key = t('variant.error.key', 'Use 1–64 of a-z, 0-9, _ and -, starting with a letter or digit.');
    }
    if (!form.audienceComplete) found.audience = t('variant.error.audience', 'Complete or remove the highlighted conditions.');
    // The builder already says this at each condition concerned; no second message under it.
    else if (massRefusesAudience) found.audience = '';
    const massSegment = form.kind === 'mass' ? form.segments.find(personalSegment) : undefined;
    if (massSegment) {
      const name = segments.data?.find((candidate) => candidate.key === massSegment)?.name ?? massSegment;
      found.segments = t('variant.error.massSegment', 'A mass variant is for everyone: it cannot use the segment “{name}”, which reads attributes that need consent.', { name });
    }
    if (form.startsAt && form.endsAt && Date.parse(form.startsAt) >= Date.parse(form.endsAt)) {
      found.endsAt = t('variant.error.schedule', 'The end must be after the start.');
    }
    return found;
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstError();
    // A mass variant is for everyone and needs no consent: its consent boxes are hidden and a new one requires
    // nothing. One saved with purposes (through the API) keeps them until the editor removes them (see keptPurposes).
    const requiredPurposes =
      form.kind === 'mass' ? keptPurposes : purposeKeys.filter((key) => implied.has(key) || form.requiredPurposes.includes(key));
    const body: VariantSettings = {
      name: form.name.trim(),
      kind: form.kind,
      audience: form.audience,
      segments: form.segments,
      requiredPurposes,
      startsAt: form.startsAt,
      endsAt: form.endsAt,
      enabled: form.enabled,
      locales: form.locales && form.locales.length > 0 ? form.locales : null,
    };
    setSubmitting(true);
    try {
      const response = variant
        ? await put<{ data: VariantRecord }>(API.variant(variant.documentId), body)
        : await post<{ data: VariantRecord }>(API.variants, { ...body, contentType: contentType.uid, baseDocumentId, key: form.key });
      onSaved(response.data.data);
    } catch (error) {
      const problem = problemOf(error);
      const field = formFieldOf(problem.field);
      const known = ['name', 'key', 'kind', 'audience', 'segments', 'requiredPurposes', 'startsAt', 'endsAt', 'locales'];
      // The key's format is checked above, so a refused key is one another variant of this entry holds.
      const message =
        field === 'key' && problem.status === 400
          ? t('variant.error.keyTaken', '“{key}” is already used by another variant of this entry. Choose another key.', { key: form.key })
          : problem.field === field
            ? problem.fieldMessage
            : problem.message;
      setErrors(field && known.includes(field) ? { [field]: message } : { form: message });
      toggleNotification({
        type: 'danger',
        message: variant
          ? t('variant.error.notSaved', 'The settings were not saved. See the highlighted field.')
          : t('variant.error.notCreated', 'The variant was not created. See the highlighted field.'),
      });
      focusFirstError();
    } finally {
      setSubmitting(false);
    }
  };

  const title = variant
    ? t('variant.dialog.editTitle', 'Settings of “{name}”', { name: variant.name })
    : t('variant.dialog.createTitle', 'Create a variant');

  return (
    <Modal.Root open={open} onOpenChange={onOpenChange}>
      <Modal.Content>
        <form onSubmit={submit} noValidate ref={container}>
          <Modal.Header closeLabel={t('dialog.close', 'Close')}>
            <Modal.Title>{title}</Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={6}>
              {!variant && (
                <Typography variant="omega" textColor="neutral600">
                  {t(
                    'variant.dialog.createIntro',
                    'The variant starts as a draft copy of this entry. Edit its content like any entry, then publish it.'
                  )}
                </Typography>
              )}
              {errors.form && (
                <Typography variant="omega" textColor="danger600" role="alert">
                  {errors.form}
                </Typography>
              )}
              <Grid.Root gap={4}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="name" error={errors.name} required>
                    <Field.Label>{t('variant.name', 'Name')}</Field.Label>
                    <TextInput
                      value={form.name}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        const name = event.target.value;
                        setForm((previous) => ({ ...previous, name, key: previous.keyEdited ? previous.key : keyFromName(name) }));
                        setErrors(({ name: _, key: __, ...rest }) => rest);
                      }}
                    />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="key"
                    error={errors.key}
                    required={!variant}
                    hint={t(
                      'variant.key.hint',
                      'Frontends see it in the “personalization” label of each entry, which names the variant served. It cannot change later.'
                    )}
                  >
                    <Field.Label>{t('variant.key', 'Key')}</Field.Label>
                    <TextInput
                      value={form.key}
                      disabled={Boolean(variant)}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        setForm((previous) => ({ ...previous, key: event.target.value, keyEdited: true }));
                        setErrors(({ key: _, ...rest }) => rest);
                      }}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>

              <Field.Root name="kind" error={errors.kind}>
                <Field.Label>{t('variant.kind', 'Kind')}</Field.Label>
                <Radio.Group
                  value={form.kind}
                  onValueChange={(kind: string) => set('kind', kind as VariantKind)}
                  aria-label={t('variant.kind', 'Kind')}
                >
                  <Radio.Item value="targeted">
                    {t('variant.kind.targeted', 'Targeted: for an audience, only with the visitor’s consent')}
                  </Radio.Item>
                  <Radio.Item value="mass">
                    {t('variant.kind.mass', 'Mass: for everyone, by time, weekday or locale; needs no consent')}
                  </Radio.Item>
                </Radio.Group>
                <Field.Error />
              </Field.Root>

              {/* Not a Field.Root: its label would name every select inside the builder. */}
              <Flex direction="column" alignItems="stretch" gap={1}>
                <Typography variant="pi" fontWeight="bold" textColor="neutral800">
                  {t('variant.audience', 'Audience')}
                </Typography>
                <RuleBuilder
                  label={t('variant.audience', 'Audience')}
                  value={form.audience}
                  attributes={settings.attributes}
                  locales={settings.locales}
                  personalAllowed={form.kind === 'targeted'}
                  showIncomplete={attempted}
                  onChange={(audience, complete) => {
                    setForm((previous) => ({ ...previous, audience, audienceComplete: complete }));
                    setErrors(({ audience: _, ...rest }) => rest);
                  }}
                />
                {errors.audience && !massRefusesAudience && (
                  <Typography variant="pi" textColor="danger600" role="alert">
                    {errors.audience}
                  </Typography>
                )}
              </Flex>

              <SegmentsField
                segments={segments}
                value={form.segments}
                onChange={(keys) => set('segments', keys)}
                error={errors.segments}
                hint={t('variant.segments.hint', 'The visitor must also be in every segment chosen here.')}
              />

              {form.kind === 'mass' && keptPurposes.length > 0 ? (
                <Flex direction="column" alignItems="flex-start" gap={2} data-testid="mass-consent-note">
                  <Typography variant="pi" textColor="neutral800">
                    {t(
                      'variant.purposes.massKept',
                      'This mass variant was saved to be served only to visitors who granted: {purposes}. Saving keeps this.',
                      { purposes: keptPurposes.map((key) => purposeTitle.get(key) ?? key).join(', ') }
                    )}
                  </Typography>
                  <Button variant="tertiary" size="S" onClick={() => set('requiredPurposes', [])}>
                    {t('variant.purposes.massClear', 'Serve it to every visitor')}
                  </Button>
                </Flex>
              ) : form.kind === 'mass' ? (
                <Typography variant="pi" textColor="neutral600" data-testid="mass-consent-note">
                  {t('variant.purposes.mass', 'A mass variant is served to every visitor, with or without consent, so it asks for none.')}
                </Typography>
              ) : (
              <Field.Root name="requiredPurposes" error={errors.requiredPurposes}>
                <Field.Label>{t('variant.purposes', 'Consent the visitor must have given')}</Field.Label>
                <Flex direction="column" alignItems="stretch" gap={2}>
                  {settings.purposes.map((purpose) => {
                    const locked = implied.has(purpose.key);
                    return (
                      <Flex key={purpose.key} gap={2} direction="column" alignItems="flex-start">
                        <Checkbox
                          checked={locked || form.requiredPurposes.includes(purpose.key)}
                          disabled={locked}
                          onCheckedChange={(checked) =>
                            set(
                              'requiredPurposes',
                              checked === true
                                ? [...form.requiredPurposes, purpose.key]
                                : form.requiredPurposes.filter((key) => key !== purpose.key)
                            )
                          }
                        >
                          {purposeTitle.get(purpose.key)}
                          {implied.get(purpose.key) === 'audience'
                            ? ` · ${t('variant.purposes.implied', 'needed by the audience')}`
                            : implied.get(purpose.key) === 'targeted'
                              ? ` · ${t('variant.purposes.targeted', 'needed by every targeted variant')}`
                              : ''}
                        </Checkbox>
                      </Flex>
                    );
                  })}
                </Flex>
                <Field.Error />
              </Field.Root>
              )}

              <Grid.Root gap={4}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="startsAt" error={errors.startsAt} hint={t('variant.startsAt.hint', 'Empty: from now on.')}>
                    <Field.Label>{t('variant.startsAt', 'Starts')}</Field.Label>
                    <DateTimePicker
                      value={form.startsAt ? new Date(form.startsAt) : null}
                      onChange={(date) => set('startsAt', date ? date.toISOString() : null)}
                      onClear={() => set('startsAt', null)}
                      clearLabel={t('variant.schedule.clear', 'Clear')}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="endsAt" error={errors.endsAt} hint={t('variant.endsAt.hint', 'Empty: no end.')}>
                    <Field.Label>{t('variant.endsAt', 'Ends')}</Field.Label>
                    <DateTimePicker
                      value={form.endsAt ? new Date(form.endsAt) : null}
                      onChange={(date) => set('endsAt', date ? date.toISOString() : null)}
                      onClear={() => set('endsAt', null)}
                      clearLabel={t('variant.schedule.clear', 'Clear')}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>
              <Typography variant="pi" textColor="neutral600" data-testid="schedule-reading">
                {t('variant.schedule.reading', 'Served: {schedule}. {zoneNote}', { schedule: schedule.describe(form.startsAt, form.endsAt), zoneNote: schedule.zoneNote })}
              </Typography>

              {contentType.localized && (
                <Field.Root name="locales" error={errors.locales} hint={t('variant.locales.hint', 'Empty: every locale the variant is published in.')}>
                  <Field.Label>{t('variant.locales', 'Locales')}</Field.Label>
                  <MultiSelect
                    withTags
                    value={form.locales ?? []}
                    onChange={(codes: string[]) => set('locales', codes)}
                    placeholder={t('variant.locales.placeholder', 'All locales')}
                  >
                    {settings.locales.map((locale) => (
                      <MultiSelectOption key={locale.code} value={locale.code}>
                        {locale.name}
                      </MultiSelectOption>
                    ))}
                  </MultiSelect>
                  <Field.Error />
                  <Field.Hint />
                </Field.Root>
              )}

              <Box>
                <Checkbox checked={form.enabled} onCheckedChange={(checked) => set('enabled', checked === true)}>
                  {t('variant.enabled', 'Enabled: may be served')}
                </Checkbox>
              </Box>
            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary">{t('dialog.cancel', 'Cancel')}</Button>
            </Modal.Close>
            <Button type="submit" loading={submitting}>
              {variant ? t('variant.dialog.save', 'Save settings') : t('variant.dialog.create', 'Create variant')}
            </Button>
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
};
