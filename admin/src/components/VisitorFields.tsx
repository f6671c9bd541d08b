/** A hypothetical visitor: the purposes they granted and the attributes they shared (simulator, preview). */
import * as React from 'react';
import {
  Checkbox,
  DateTimePicker,
  Field,
  Flex,
  Grid,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  TextInput,
  Typography,
} from '@strapi/design-system';
import type { PluginSettings } from '../api';
import { useRuleWording } from '../hooks/useRuleWording';
import { usePurposeTitles } from '../hooks/usePurposeTitles';
import { useT } from '../hooks/useT';
import type { CatalogueAttribute } from '../rules/model';

export interface Visitor {
  purposes: string[];
  /** What the editor typed, per attribute; turned into JSON values by `sharedAttributes`. */
  values: Record<string, AttributeInput>;
}

export const NO_CONSENT: Visitor = { purposes: [], values: {} };

export type AttributeInput = string | number | boolean | undefined;

/** Turns what the editor typed into the attribute's JSON type; empty means not shared. */
function attributeValue(attribute: CatalogueAttribute, input: AttributeInput): unknown {
  if (input === undefined || input === '') return undefined;
  if (attribute.type === 'string[]') {
    return String(input)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }
  return input;
}


interface AttributeFieldProps {
  attribute: CatalogueAttribute;
  granted: boolean;
  purposeTitle: string;
  value: AttributeInput;
  onChange(value: AttributeInput): void;
}

const AttributeField = ({ attribute, granted, purposeTitle, value, onChange }: AttributeFieldProps) => {
  const t = useT();
  const { typeName } = useRuleWording();
  const type = typeName(attribute.type);
  const source = attribute.source === 'token' ? t('settings.source.token', 'consent token') : t('settings.source.context', 'context header');
  const hint = granted
    ? t('simulator.attribute.granted', '{type}, from the {source}; unlocked by {purpose}', { type, source, purpose: purposeTitle })
    : t('simulator.attribute.locked', '{type}; ignored unless {purpose} is granted', { type, purpose: purposeTitle });
  return (
    <Field.Root name={attribute.name} hint={attribute.type === 'string[]' ? `${hint}. ${t('rules.value.listHint', 'Separate values with commas.')}` : hint}>
      <Field.Label>{attribute.name}</Field.Label>
      {attribute.type === 'number' ? (
        <NumberInput value={typeof value === 'number' ? value : undefined} onValueChange={(next) => onChange(next)} />
      ) : attribute.type === 'boolean' ? (
        <SingleSelect value={value === undefined ? 'unset' : String(value)} onChange={(next) => onChange(next === 'unset' ? undefined : next === 'true')}>
          <SingleSelectOption value="unset">{t('simulator.attribute.unset', 'not shared')}</SingleSelectOption>
          <SingleSelectOption value="true">{t('rules.value.true', 'true')}</SingleSelectOption>
          <SingleSelectOption value="false">{t('rules.value.false', 'false')}</SingleSelectOption>
        </SingleSelect>
      ) : attribute.type === 'date' ? (
        <DateTimePicker
          value={typeof value === 'string' ? new Date(value) : null}
          onChange={(date) => onChange(date ? date.toISOString() : undefined)}
          onClear={() => onChange(undefined)}
          clearLabel={t('variant.schedule.clear', 'Clear')}
        />
      ) : (
        <TextInput value={typeof value === 'string' ? value : ''} onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)} />
      )}
      <Field.Hint />
    </Field.Root>
  );
};

/**
 * The attributes the visitor shares, typed as the catalogue declares them; empty fields are left
 * out, and with `grantedOnly` those whose purpose is not granted.
 */
export function sharedAttributes(settings: PluginSettings, visitor: Visitor, grantedOnly = false): Record<string, unknown> {
  const shared: Record<string, unknown> = {};
  for (const attribute of settings.attributes) {
    if (attribute.source === 'builtin') continue;
    if (grantedOnly && (attribute.purpose === null || !visitor.purposes.includes(attribute.purpose))) continue;
    const value = attributeValue(attribute, visitor.values[attribute.name]);
    if (value !== undefined) shared[attribute.name] = value;
  }
  return shared;
}

interface VisitorFieldsProps {
  settings: PluginSettings;
  visitor: Visitor;
  onChange(visitor: Visitor): void;
  /** Only attributes whose purpose is granted (a token may carry nothing else). */
  grantedOnly?: boolean;
}

export const VisitorFields = ({ settings, visitor, onChange, grantedOnly = false }: VisitorFieldsProps) => {
  const t = useT();
  const purposeTitle = usePurposeTitles(settings.purposes);
  const personal = settings.attributes.filter(
    (attribute) => attribute.source !== 'builtin' && (!grantedOnly || (attribute.purpose !== null && visitor.purposes.includes(attribute.purpose)))
  );
  const togglePurpose = (key: string, checked: boolean) =>
    onChange({ ...visitor, purposes: checked ? [...visitor.purposes, key] : visitor.purposes.filter((purpose) => purpose !== key) });

  return (
    <Flex direction="column" alignItems="stretch" gap={5}>
      <Flex direction="column" alignItems="stretch" gap={2} role="group" aria-label={t('simulator.purposes', 'Purposes the visitor granted')}>
        <Typography variant="pi" fontWeight="bold">
          {t('simulator.purposes', 'Purposes the visitor granted')}
        </Typography>
        <Flex gap={4} wrap="wrap">
          {settings.purposes.map((purpose) => (
            <Checkbox key={purpose.key} checked={visitor.purposes.includes(purpose.key)} onCheckedChange={(checked) => togglePurpose(purpose.key, checked === true)}>
              {purposeTitle.get(purpose.key)}
            </Checkbox>
          ))}
        </Flex>
        {!grantedOnly && (
          <Typography variant="pi" textColor="neutral600">
            {t('simulator.purposes.hint', 'None ticked: a visitor without a consent token. Any grant also includes “necessary”, as a token does.')}
          </Typography>
        )}
      </Flex>
      {personal.length > 0 && (
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Typography variant="pi" fontWeight="bold">
            {t('simulator.attributes', 'Attributes the visitor shared')}
          </Typography>
          <Grid.Root gap={4}>
            {personal.map((attribute) => (
              <Grid.Item key={attribute.name} col={4} s={12} direction="column" alignItems="stretch">
                <AttributeField
                  attribute={attribute}
                  granted={attribute.purpose !== null && visitor.purposes.includes(attribute.purpose)}
                  purposeTitle={purposeTitle.get(attribute.purpose ?? '') ?? attribute.purpose ?? ''}
                  value={visitor.values[attribute.name]}
                  onChange={(value) => onChange({ ...visitor, values: { ...visitor.values, [attribute.name]: value } })}
                />
              </Grid.Item>
            ))}
          </Grid.Root>
        </Flex>
      )}
    </Flex>
  );
};
