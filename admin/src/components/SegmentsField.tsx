/**
 * The segments a variant or an experiment asks the visitor to be in: a multi-select of the saved
 * segments, disabled while they load and, with a note, when the server has no segments.
 */
import { Field, MultiSelect, MultiSelectOption } from '@strapi/design-system';
import type { ApiProblem, Segment } from '../api';
import { useT } from '../hooks/useT';

export interface SegmentsFieldProps {
  segments: { data: Segment[] | undefined; problem: ApiProblem | undefined; isLoading: boolean };
  value: string[];
  onChange(keys: string[]): void;
  error?: string;
  /** What choosing segments does here. */
  hint: string;
}

export const SegmentsField = ({ segments, value, onChange, error, hint }: SegmentsFieldProps) => {
  const t = useT();
  const missing = segments.problem?.status === 404;
  return (
    <Field.Root name="segments" error={error} hint={missing ? t('variant.segments.unavailable', 'Segments are not available on this server.') : hint}>
      <Field.Label>{t('variant.segments', 'Segments')}</Field.Label>
      <MultiSelect withTags disabled={missing || segments.isLoading} value={value} onChange={onChange} placeholder={t('variant.segments.placeholder', 'No segment')}>
        {(segments.data ?? []).map((segment) => (
          <MultiSelectOption key={segment.key} value={segment.key}>
            {segment.name}
          </MultiSelectOption>
        ))}
      </MultiSelect>
      <Field.Error />
      <Field.Hint />
    </Field.Root>
  );
};
