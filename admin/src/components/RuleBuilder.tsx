/**
 * The audience builder: and/or groups of conditions over the attribute catalogue, where each
 * attribute offers only the operators its type supports. It edits JSON Logic through
 * rules/convert.ts; rules it cannot show open in a JSON editor instead.
 */
import * as React from 'react';
import {
  Box,
  Button,
  DateTimePicker,
  Field,
  Flex,
  IconButton,
  JSONInput,
  MultiSelect,
  MultiSelectOption,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  TextButton,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { Code, Plus, Trash } from '@strapi/icons';
import type { Locale } from '../api';
import { useRuleWording } from '../hooks/useRuleWording';
import { useT } from '../hooks/useT';
import { fromJsonLogic, toJsonLogic } from '../rules/convert';
import {
  boundsOf,
  choicesOf,
  emptyGroup,
  emptyValue,
  incompleteConditions,
  isCompleteValue,
  newCondition,
  operatorById,
  operatorsFor,
  refusedValues,
  type CatalogueAttribute,
  type Condition,
  type ConditionValue,
  type Group,
  type RuleNode,
  type Scalar,
} from '../rules/model';

export interface RuleBuilderProps {
  /** The JSON Logic rule; null is no audience (everyone). */
  value: unknown;
  /** `complete` is false while a condition still lacks a value or the JSON does not parse. */
  onChange(rule: unknown, complete: boolean): void;
  attributes: readonly CatalogueAttribute[];
  locales: readonly Locale[];
  /** False for mass variants: attributes that need consent cannot be chosen. */
  personalAllowed?: boolean;
  /** Highlights conditions without a value (after a save attempt). */
  showIncomplete?: boolean;
  /** Labels the builder for assistive technology and tests. */
  label: string;
}

type Match = 'all' | 'any' | 'none' | 'notAll';

const matchOf = (group: Group): Match =>
  group.negated ? (group.combinator === 'or' ? 'none' : 'notAll') : group.combinator === 'or' ? 'any' : 'all';

const groupOf = (match: Match): Pick<Group, 'combinator' | 'negated'> => ({
  combinator: match === 'any' || match === 'none' ? 'or' : 'and',
  negated: match === 'none' || match === 'notAll',
});

function mapNode(node: RuleNode, id: string, change: (node: RuleNode) => RuleNode | null): RuleNode | null {
  if (node.id === id) return change(node);
  if (node.kind === 'condition') return node;
  const children = node.children
    .map((child) => mapNode(child, id, change))
    .filter((child): child is RuleNode => child !== null);
  return { ...node, children };
}

const stringify = (value: unknown) => JSON.stringify(value ?? null);

export const RuleBuilder = ({
  value,
  onChange,
  attributes,
  locales,
  personalAllowed = true,
  showIncomplete = false,
  label,
}: RuleBuilderProps) => {
  const t = useT();
  const catalogue = React.useMemo(() => new Map(attributes.map((attribute) => [attribute.name, attribute])), [attributes]);
  const emitted = React.useRef<string | null>(null);
  const [tree, setTree] = React.useState<Group>(emptyGroup);
  const [json, setJson] = React.useState<{ text: string; problem?: string } | null>(null);

  // Adopt a rule that did not come from this builder (first render, another variant, a reset).
  React.useEffect(() => {
    const incoming = stringify(value);
    if (incoming === emitted.current) return;
    emitted.current = incoming;
    const parsed = fromJsonLogic(value, attributes);
    if (parsed.ok) {
      setTree(parsed.tree);
      setJson(null);
    } else {
      setJson({ text: JSON.stringify(value, null, 2), problem: t('rules.json.unsupported', 'The builder cannot show {reason}; edit the rule as JSON.', { reason: parsed.reason }) });
    }
  }, [value, attributes, t]);

  const emit = (next: Group) => {
    setTree(next);
    const rule = toJsonLogic(next);
    emitted.current = stringify(rule);
    onChange(rule, incompleteConditions(next, catalogue).length === 0);
  };

  const change = (id: string, update: (node: RuleNode) => RuleNode | null) => {
    emit((mapNode(tree, id, update) as Group | null) ?? emptyGroup());
  };

  const firstAllowed = attributes.find((attribute) => personalAllowed || !attribute.personal) ?? attributes[0];

  const addTo = (groupId: string, node: RuleNode) =>
    change(groupId, (group) => (group.kind === 'group' ? { ...group, children: [...group.children, node] } : group));

  const openJson = () => setJson({ text: JSON.stringify(toJsonLogic(tree), null, 2) });

  const editJson = (text: string) => {
    try {
      const rule = text.trim() === '' ? null : JSON.parse(text);
      setJson({ text });
      emitted.current = stringify(rule);
      onChange(rule, true);
    } catch {
      setJson({ text, problem: t('rules.json.invalid', 'This is not valid JSON yet.') });
      onChange(value, false);
    }
  };

  const backToBuilder = () => {
    let rule: unknown;
    try {
      rule = json && json.text.trim() !== '' ? JSON.parse(json.text) : null;
    } catch {
      return setJson({ ...json!, problem: t('rules.json.invalid', 'This is not valid JSON yet.') });
    }
    const parsed = fromJsonLogic(rule, attributes);
    if (parsed.ok) {
      setTree(parsed.tree);
      setJson(null);
    } else {
      setJson({ ...json!, problem: t('rules.json.unsupported', 'The builder cannot show {reason}; edit the rule as JSON.', { reason: parsed.reason }) });
    }
  };

  if (json) {
    return (
      <Flex direction="column" alignItems="stretch" gap={2} aria-label={label} role="group">
        <Field.Root error={json.problem} hint={t('rules.json.hint', 'JSON Logic, as stored. Attributes are read with the "var" operator.')}>
          <JSONInput value={json.text} onChange={editJson} minHeight="12rem" aria-label={t('rules.json.label', 'Audience as JSON Logic')} />
          <Field.Error />
          <Field.Hint />
        </Field.Root>
        <Box>
          <TextButton onClick={backToBuilder} startIcon={<Code />}>
            {t('rules.json.back', 'Back to the builder')}
          </TextButton>
        </Box>
      </Flex>
    );
  }

  return (
    <Flex direction="column" alignItems="stretch" gap={2} aria-label={label} role="group">
      <GroupEditor
        group={tree}
        root
        catalogue={catalogue}
        attributes={attributes}
        locales={locales}
        personalAllowed={personalAllowed}
        showIncomplete={showIncomplete}
        onMatch={(id, match) => change(id, (node) => ({ ...(node as Group), ...groupOf(match) }))}
        onRemove={(id) => change(id, () => null)}
        onCondition={(id, next) => change(id, () => next)}
        onAddCondition={(groupId) => firstAllowed && addTo(groupId, newCondition(firstAllowed))}
        onAddGroup={(groupId) => {
          const group = emptyGroup('or');
          if (firstAllowed) group.children.push(newCondition(firstAllowed));
          addTo(groupId, group);
        }}
      />
      <Box>
        <TextButton onClick={openJson} startIcon={<Code />}>
          {t('rules.json.open', 'Edit as JSON')}
        </TextButton>
      </Box>
    </Flex>
  );
};

interface GroupEditorProps {
  group: Group;
  root?: boolean;
  catalogue: ReadonlyMap<string, CatalogueAttribute>;
  attributes: readonly CatalogueAttribute[];
  locales: readonly Locale[];
  personalAllowed: boolean;
  showIncomplete: boolean;
  onMatch(id: string, match: Match): void;
  onRemove(id: string): void;
  onCondition(id: string, next: Condition): void;
  onAddCondition(groupId: string): void;
  onAddGroup(groupId: string): void;
}

const GroupEditor = (props: GroupEditorProps) => {
  const { group, root = false } = props;
  const t = useT();
  const matchLabel = t('rules.match.label', 'Match');
  return (
    <Box
      padding={root ? 0 : 3}
      background={root ? undefined : 'neutral100'}
      hasRadius
      borderColor={root ? undefined : 'neutral200'}
      borderStyle={root ? undefined : 'solid'}
      borderWidth={root ? undefined : '1px'}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Flex gap={2} alignItems="center">
          <Box minWidth="16rem">
            <SingleSelect
              aria-label={matchLabel}
              size="S"
              value={matchOf(group)}
              onChange={(value) => props.onMatch(group.id, value as Match)}
            >
              <SingleSelectOption value="all">{t('rules.match.all', 'All of these are true')}</SingleSelectOption>
              <SingleSelectOption value="any">{t('rules.match.any', 'Any of these is true')}</SingleSelectOption>
              <SingleSelectOption value="none">{t('rules.match.none', 'None of these is true')}</SingleSelectOption>
              <SingleSelectOption value="notAll">{t('rules.match.notAll', 'Not all of these are true')}</SingleSelectOption>
            </SingleSelect>
          </Box>
          {!root && (
            <IconButton label={t('rules.group.remove', 'Remove group')} variant="ghost" onClick={() => props.onRemove(group.id)}>
              <Trash />
            </IconButton>
          )}
        </Flex>
        {root && group.children.length === 0 && (
          <Typography variant="pi" textColor="neutral600">
            {t('rules.empty', 'No conditions: everyone is in this audience.')}
          </Typography>
        )}
        {group.children.map((child) =>
          child.kind === 'group' ? (
            <GroupEditor key={child.id} {...props} group={child} root={false} />
          ) : (
            <ConditionRow
              key={child.id}
              condition={child}
              catalogue={props.catalogue}
              attributes={props.attributes}
              locales={props.locales}
              personalAllowed={props.personalAllowed}
              showIncomplete={props.showIncomplete}
              onChange={(next) => props.onCondition(child.id, next)}
              onRemove={() => props.onRemove(child.id)}
            />
          )
        )}
        <Flex gap={2}>
          <Button variant="tertiary" size="S" startIcon={<Plus />} onClick={() => props.onAddCondition(group.id)}>
            {t('rules.condition.add', 'Add condition')}
          </Button>
          {root && (
            <Button variant="tertiary" size="S" startIcon={<Plus />} onClick={() => props.onAddGroup(group.id)}>
              {t('rules.group.add', 'Add group')}
            </Button>
          )}
        </Flex>
      </Flex>
    </Box>
  );
};

interface ConditionRowProps {
  condition: Condition;
  catalogue: ReadonlyMap<string, CatalogueAttribute>;
  attributes: readonly CatalogueAttribute[];
  locales: readonly Locale[];
  personalAllowed: boolean;
  showIncomplete: boolean;
  onChange(next: Condition): void;
  onRemove(): void;
}

const ConditionRow = ({ condition, catalogue, attributes, locales, personalAllowed, showIncomplete, onChange, onRemove }: ConditionRowProps) => {
  const t = useT();
  const { operatorLabel, rangeProblem, attributeTitle, attributeDescription } = useRuleWording();
  const attribute = catalogue.get(condition.attribute);
  const operator = operatorById(condition.operator);
  if (!attribute || !operator) return null;
  const description = attributeDescription(attribute);
  const personalRefused = !personalAllowed && attribute.personal;
  const incomplete = showIncomplete && !isCompleteValue(operator, attribute.type, condition.value);
  const refused = refusedValues(attribute, condition.value);
  // A mass variant offers only attributes that need no consent; one already chosen stays listed, marked as refused.
  const offered = attributes.filter((option) => personalAllowed || !option.personal || option.name === attribute.name);
  const operators = operatorsFor(attribute);
  if (!operators.includes(operator)) operators.push(operator);

  const chooseAttribute = (name: string) => {
    const next = catalogue.get(name);
    if (!next) return;
    const nextOperators = operatorsFor(next);
    const keep = next.type === attribute.type && nextOperators.includes(operator) && refusedValues(next, condition.value).length === 0;
    const nextOperator = keep ? operator : nextOperators[0];
    onChange({ ...condition, attribute: name, operator: nextOperator.id, value: keep ? condition.value : emptyValue(nextOperator, next.type) });
  };

  const chooseOperator = (id: string) => {
    const next = operatorById(id);
    if (!next) return;
    const keep = next.value === operator.value;
    onChange({ ...condition, operator: id, value: keep ? condition.value : emptyValue(next, attribute.type) });
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <Flex gap={2} alignItems="flex-start" wrap="wrap" role="group" aria-label={t('rules.condition.label', 'Condition')}>
        {/* The select sets no aria-invalid itself; the marker lets a refused save focus it. */}
        <Box width="26rem" data-invalid={personalRefused ? 'true' : undefined}>
          <SingleSelect
            aria-label={t('rules.attribute', 'Attribute')}
            size="S"
            value={condition.attribute}
            onChange={(value) => chooseAttribute(String(value))}
            hasError={personalRefused}
          >
            {offered.map((option) => (
              <SingleSelectOption key={option.name} value={option.name} disabled={!personalAllowed && option.personal}>
                {option.purpose
                  ? t('rules.attribute.personal', '{name} (needs {purpose})', { name: attributeTitle(option), purpose: option.purpose })
                  : t('rules.attribute.builtin', '{name} (no consent needed)', { name: attributeTitle(option) })}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Box>
        <Box width="18rem">
          <SingleSelect
            aria-label={t('rules.operator', 'Operator')}
            size="S"
            value={condition.operator}
            onChange={(value) => chooseOperator(String(value))}
          >
            {operators.map((option) => (
              <SingleSelectOption key={option.id} value={option.id}>
                {operatorLabel(option.id, attribute.type)}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Box>
        <Box flex="1" minWidth="20rem">
          <ValueEditor
            attribute={attribute}
            shape={operator.value}
            value={condition.value}
            locales={locales}
            invalid={incomplete || refused.length > 0}
            onChange={(value) => onChange({ ...condition, value })}
          />
        </Box>
        <IconButton label={t('rules.condition.remove', 'Remove condition')} variant="ghost" onClick={onRemove}>
          <Trash />
        </IconButton>
      </Flex>
      {description && !personalRefused && refused.length === 0 && (
        <Typography variant="pi" textColor="neutral600">
          {description}
        </Typography>
      )}
      {personalRefused && (
        <Typography variant="pi" textColor="danger600">
          {t('rules.personalRefused', 'A mass variant is for everyone: it cannot read "{name}", which needs consent.', { name: attributeTitle(attribute) })}
        </Typography>
      )}
      {refused.length > 0 && (
        <Typography variant="pi" textColor="danger600" role="alert">
          {rangeProblem(attribute, refused)}
        </Typography>
      )}
      {incomplete && refused.length === 0 && (
        <Typography variant="pi" textColor="danger600">
          {t('rules.condition.incomplete', 'Enter a value or remove this condition.')}
        </Typography>
      )}
    </Flex>
  );
};

interface ValueEditorProps {
  attribute: CatalogueAttribute;
  shape: 'scalar' | 'list' | 'pair';
  value: ConditionValue;
  locales: readonly Locale[];
  invalid: boolean;
  onChange(value: ConditionValue): void;
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0];

const ValueEditor = ({ attribute, shape, value, locales, invalid, onChange }: ValueEditorProps) => {
  const t = useT();
  const { weekdayName } = useRuleWording();
  const valueLabel = t('rules.value', 'Value');

  if (shape === 'pair') {
    const [from, to] = Array.isArray(value) ? value : [null, null];
    return (
      <Flex gap={2} alignItems="center">
        <ScalarEditor attribute={attribute} value={from ?? null} locales={locales} invalid={invalid} label={t('rules.value.from', 'From')} onChange={(next) => onChange([next, to ?? null])} />
        <Typography variant="pi">{t('rules.value.to', 'to')}</Typography>
        <ScalarEditor attribute={attribute} value={to ?? null} locales={locales} invalid={invalid} label={t('rules.value.until', 'To')} onChange={(next) => onChange([from ?? null, next])} />
      </Flex>
    );
  }

  if (shape === 'list') {
    const items = Array.isArray(value) ? value.filter((item): item is Scalar => item !== null) : [];
    const choices = choicesOf(attribute);
    const options =
      attribute.name === 'weekday'
        ? WEEKDAYS.map((day) => ({ value: String(day), label: weekdayName(day) }))
        : attribute.name === 'locale'
          ? locales.map((locale) => ({ value: locale.code, label: locale.name }))
          : choices?.map((choice) => ({ value: choice, label: attribute.labels?.[choice] ?? choice }));
    if (options) {
      return (
        <MultiSelect
          aria-label={valueLabel}
          size="S"
          withTags
          hasError={invalid}
          value={items.map(String)}
          onChange={(selected) => onChange(attribute.name === 'weekday' ? selected.map(Number) : selected)}
        >
          {options.map((option) => (
            <MultiSelectOption key={option.value} value={option.value}>
              {option.label}
            </MultiSelectOption>
          ))}
        </MultiSelect>
      );
    }
    return <ListInput attribute={attribute} items={items} invalid={invalid} label={valueLabel} onChange={onChange} />;
  }

  return <ScalarEditor attribute={attribute} value={value as Scalar | null} locales={locales} invalid={invalid} label={valueLabel} onChange={onChange} />;
};

interface ScalarEditorProps {
  attribute: CatalogueAttribute;
  value: Scalar | null;
  locales: readonly Locale[];
  invalid: boolean;
  label: string;
  onChange(value: Scalar | null): void;
}

const ScalarEditor = ({ attribute, value, locales, invalid, label, onChange }: ScalarEditorProps) => {
  const t = useT();
  const { weekdayName } = useRuleWording();

  if (attribute.name === 'weekday') {
    return (
      <SingleSelect aria-label={label} size="S" hasError={invalid} value={value === null ? null : String(value)} onChange={(day) => onChange(Number(day))}>
        {WEEKDAYS.map((day) => (
          <SingleSelectOption key={day} value={String(day)}>
            {weekdayName(day)}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    );
  }
  if (attribute.name === 'locale' && locales.length > 0) {
    return (
      <SingleSelect aria-label={label} size="S" hasError={invalid} value={typeof value === 'string' ? value : null} onChange={(code) => onChange(String(code))}>
        {locales.map((locale) => (
          <SingleSelectOption key={locale.code} value={locale.code}>
            {locale.name}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    );
  }
  const choices = choicesOf(attribute);
  if (choices && attribute.type !== 'boolean') {
    return (
      <SingleSelect
        aria-label={label}
        size="S"
        hasError={invalid}
        value={typeof value === 'string' ? value : null}
        onChange={(picked) => onChange(String(picked))}
      >
        {choices.map((choice) => (
          <SingleSelectOption key={choice} value={choice}>
            {attribute.labels?.[choice] ?? choice}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    );
  }
  if (attribute.type === 'boolean') {
    return (
      <SingleSelect aria-label={label} size="S" value={value === false ? 'false' : 'true'} onChange={(choice) => onChange(choice === 'true')}>
        <SingleSelectOption value="true">{t('rules.value.true', 'true')}</SingleSelectOption>
        <SingleSelectOption value="false">{t('rules.value.false', 'false')}</SingleSelectOption>
      </SingleSelect>
    );
  }
  if (attribute.type === 'number') {
    const { min, max } = boundsOf(attribute);
    return (
      <NumberInput
        aria-label={label}
        size="S"
        hasError={invalid}
        placeholder={min !== null && max !== null ? `${min}–${max}` : undefined}
        value={typeof value === 'number' ? value : undefined}
        onValueChange={(next) => onChange(next ?? null)}
      />
    );
  }
  if (attribute.type === 'date') {
    return (
      <DateTimePicker
        aria-label={label}
        size="S"
        hasError={invalid}
        value={typeof value === 'string' ? new Date(value) : null}
        onChange={(date) => onChange(date ? date.toISOString() : null)}
        onClear={() => onChange(null)}
        clearLabel={t('rules.value.clear', 'Clear')}
      />
    );
  }
  return (
    <TextInput
      aria-label={label}
      size="S"
      hasError={invalid}
      value={typeof value === 'string' ? value : ''}
      onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
    />
  );
};

/** Comma-separated values; keeps what the editor typed (a trailing comma) while storing the list. */
const ListInput = ({
  attribute,
  items,
  invalid,
  label,
  onChange,
}: {
  attribute: CatalogueAttribute;
  items: Scalar[];
  invalid: boolean;
  label: string;
  onChange(value: ConditionValue): void;
}) => {
  const t = useT();
  const [text, setText] = React.useState(items.join(', '));
  const parse = (raw: string): Scalar[] =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => (attribute.type === 'number' ? Number(part) : part));
  return (
    <Field.Root hint={t('rules.value.listHint', 'Separate values with commas.')}>
      <TextInput
        aria-label={label}
        size="S"
        hasError={invalid}
        value={text}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
          setText(event.target.value);
          onChange(parse(event.target.value));
        }}
      />
      <Field.Hint />
    </Field.Root>
  );
};
