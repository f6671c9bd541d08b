/**
 * The simulator: what each entry would serve to a visitor with these purposes, attributes,
 * locale and time. The server runs the delivery decision itself (POST /personalization/simulate).
 */
import * as React from 'react';
import {
  Badge,
  Box,
  Button,
  DateTimePicker,
  Field,
  Flex,
  Grid,
  Link,
  MultiSelect,
  MultiSelectOption,
  SingleSelect,
  SingleSelectOption,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import { useIntl } from 'react-intl';
import type { SimulatedEntry, Simulation } from '../../../shared/contracts';
import { API, problemOf, useSettings, type ApiProblem, type EnabledContentType, type PluginSettings } from '../api';
import { ExperimentStandingNote } from '../components/ExperimentStandingNote';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { useRuleWording } from '../hooks/useRuleWording';
import { usePurposeTitles } from '../hooks/usePurposeTitles';
import { useT } from '../hooks/useT';
import { PERMISSIONS } from '../permissions';
import { NO_CONSENT, sharedAttributes, VisitorFields, type Visitor } from '../components/VisitorFields';


export const SimulatorPage = () => {
  const t = useT();
  const { data: settings, problem } = useSettings();
  const title = t('simulator.title', 'Simulator');

  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={t('simulator.subtitle', 'See what a visitor with this consent and these attributes would get, decided exactly as delivery decides.')}
        />
        <Layouts.Content>
          {problem && <Typography textColor="danger600">{problem.message}</Typography>}
          {settings && settings.contentTypes.length > 0 && <Simulator settings={settings} />}
          {settings && settings.contentTypes.length === 0 && (
            <Typography textColor="neutral600">{t('home.types.none', 'None yet. Enable personalization in a content type’s advanced settings (Content-Type Builder).')}</Typography>
          )}
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};

const Simulator = ({ settings }: { settings: PluginSettings }) => {
  const t = useT();
  const { post } = useFetchClient();
  const reason = useReasonLabel();
  const { weekdayName } = useRuleWording();
  const { formatList } = useIntl();
  const defaultLocale = settings.locales.find((locale) => locale.isDefault)?.code ?? settings.locales[0]?.code ?? null;
  const [uid, setUid] = React.useState(settings.contentTypes[0].uid);
  const [visitor, setVisitor] = React.useState<Visitor>(NO_CONSENT);
  const [locale, setLocale] = React.useState<string | null>(defaultLocale);
  const [at, setAt] = React.useState<Date | null>(null);
  const [documentIds, setDocumentIds] = React.useState<string[]>([]);
  const [result, setResult] = React.useState<Simulation | null>(null);
  const [failure, setFailure] = React.useState<ApiProblem | null>(null);
  const [running, setRunning] = React.useState(false);

  const contentType = settings.contentTypes.find((candidate) => candidate.uid === uid) as EnabledContentType;
  const purposeTitle = usePurposeTitles(settings.purposes);
  const purposeOf = (attribute: string) => {
    const key = settings.attributes.find((candidate) => candidate.name === attribute)?.purpose ?? '';
    return purposeTitle.get(key) ?? key;
  };
  const entriesUrl =
    contentType.kind === 'collectionType'
      ? `/content-manager/collection-types/${uid}?page=1&pageSize=100${contentType.localized && locale ? `&locale=${locale}` : ''}`
      : null;
  const list = useEntries(entriesUrl);

  const run = async () => {
    setRunning(true);
    setFailure(null);
    try {
      const response = await post<{ data: Simulation }>(API.simulate, {
        contentType: uid,
        ...(documentIds.length ? { documentIds } : {}),
        purposes: visitor.purposes,
        attributes: sharedAttributes(settings, visitor),
        locale: contentType.localized ? locale : null,
        at: at ? at.toISOString() : null,
      });
      setResult(response.data.data);
    } catch (error) {
      setResult(null);
      setFailure(problemOf(error));
    } finally {
      setRunning(false);
    }
  };

  const editorPath = (documentId: string) =>
    `/content-manager/${contentType.kind === 'singleType' ? 'single-types' : 'collection-types'}/${uid}/${documentId}${
      result?.locale ? `?plugins[i18n][locale]=${result.locale}` : ''
    }`;

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
        <Flex direction="column" alignItems="stretch" gap={5}>
          <Grid.Root gap={4}>
            <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
              <Field.Root name="contentType">
                <Field.Label>{t('simulator.contentType', 'Content type')}</Field.Label>
                <SingleSelect
                  value={uid}
                  onChange={(value) => {
                    setUid(String(value));
                    setDocumentIds([]);
                    setResult(null);
                  }}
                >
                  {settings.contentTypes.map((candidate) => (
                    <SingleSelectOption key={candidate.uid} value={candidate.uid}>
                      {candidate.displayName}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
              </Field.Root>
            </Grid.Item>
            {contentType.localized && settings.locales.length > 0 && (
              <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                <Field.Root name="locale">
                  <Field.Label>{t('simulator.locale', 'Locale')}</Field.Label>
                  <SingleSelect value={locale ?? undefined} onChange={(value) => setLocale(String(value))}>
                    {settings.locales.map((candidate) => (
                      <SingleSelectOption key={candidate.code} value={candidate.code}>
                        {candidate.name}
                      </SingleSelectOption>
                    ))}
                  </SingleSelect>
                </Field.Root>
              </Grid.Item>
            )}
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              <Field.Root name="at" hint={t('simulator.at.hint', 'Empty: now. Time zone for hour and weekday: {zone}.', { zone: settings.timeZone })}>
                <Field.Label>{t('simulator.at', 'Date and time')}</Field.Label>
                <DateTimePicker value={at} onChange={(date) => setAt(date ?? null)} onClear={() => setAt(null)} clearLabel={t('variant.schedule.clear', 'Clear')} />
                <Field.Hint />
              </Field.Root>
            </Grid.Item>
          </Grid.Root>

          {list.entries && (
            <Field.Root name="entries" hint={t('simulator.entries.hint', 'Empty: the first 50 entries.')}>
              <Field.Label>{t('simulator.entries', 'Entries')}</Field.Label>
              <MultiSelect withTags value={documentIds} onChange={setDocumentIds} placeholder={t('simulator.entries.all', 'All entries')}>
                {list.entries.map((entry) => (
                  <MultiSelectOption key={entry.documentId} value={entry.documentId}>
                    {String(entry[contentType.mainField] ?? entry.documentId)}
                  </MultiSelectOption>
                ))}
              </MultiSelect>
              <Field.Hint />
            </Field.Root>
          )}

          <VisitorFields settings={settings} visitor={visitor} onChange={setVisitor} />

          <Flex>
            <Button startIcon={<Play />} onClick={run} loading={running}>
              {t('simulator.run', 'Run simulation')}
            </Button>
          </Flex>
          {failure && (
            <Typography textColor="danger600" role="alert">
              {failure.message}
            </Typography>
          )}
        </Flex>
      </Box>

      {result && (
        <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Typography variant="pi" textColor="neutral600" data-testid="simulation-context">
              {t('simulator.context', 'Visitor: {purposes}. Attributes rules can read: {attributes}. {weekday}, {hour}:00 ({zone}){locale}.', {
                purposes: result.context.purposes.length ? result.context.purposes.map((key) => purposeTitle.get(key) ?? key).join(', ') : t('simulator.context.noConsent', 'no consent'),
                attributes: result.context.attributes.length ? result.context.attributes.join(', ') : t('simulator.context.none', 'none'),
                weekday: weekdayName(result.context.weekday),
                hour: result.context.hour,
                zone: result.context.timeZone,
                locale: result.locale ? `, ${result.locale}` : '',
              })}
            </Typography>
            {result.context.ignored.map((item) => (
              <Typography key={item.name} variant="pi" textColor="warning700">
                {item.reason === 'purpose-not-granted'
                  ? t('simulator.ignored.purpose', '“{name}” is ignored: it needs consent for {purpose}, which is not granted.', {
                      name: item.name,
                      purpose: purposeOf(item.name),
                    })
                  : item.reason === 'wrong-type'
                    ? t('simulator.ignored.type', '“{name}” is ignored: the value has the wrong type.', { name: item.name })
                    : t('simulator.ignored.other', '“{name}” is ignored.', { name: item.name })}
              </Typography>
            ))}
            <Table colCount={4} rowCount={result.entries.length + 1} aria-label={t('simulator.results', 'Results')}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('simulator.entry', 'Entry')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('simulator.served', 'Served')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('simulator.skipped', 'Skipped variants')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('simulator.read', 'Attributes read')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {result.entries.map((entry) => (
                  <Tr key={entry.documentId} data-testid={`simulated-${entry.documentId}`}>
                    <Td>
                      <Link tag={NavLink} to={editorPath(entry.documentId)}>
                        {entry.title ?? entry.documentId}
                      </Link>
                    </Td>
                    <Td>
                      <Flex direction="column" alignItems="flex-start" gap={1}>
                        <Flex gap={2}>
                          <Badge variant={entry.served.kind === 'targeted' ? 'primary' : entry.served.kind === 'mass' ? 'alternative' : 'neutral'} size="S">
                            {entry.served.kind === 'targeted' ? t('kind.targeted', 'Targeted') : entry.served.kind === 'mass' ? t('kind.mass', 'Mass') : t('kind.base', 'Base')}
                          </Badge>
                          <Typography fontWeight="bold" data-testid="served-variant">
                            {entry.served.name ?? t('simulator.baseEntry', 'Base entry')}
                          </Typography>
                        </Flex>
                        <Typography variant="pi" textColor="neutral600">
                          {reason(entry.served.reason)}
                        </Typography>
                        {entry.experiment && <ExperimentStandingNote standing={entry.experiment} />}
                      </Flex>
                    </Td>
                    <Td>
                      {entry.skipped.length === 0 ? (
                        <Typography textColor="neutral500">–</Typography>
                      ) : (
                        <Flex tag="ul" direction="column" alignItems="flex-start" gap={1}>
                          {entry.skipped.map((skip) => (
                            <Typography tag="li" key={skip.variant} variant="pi">
                              {skip.name ?? skip.variant}:{' '}
                              {skip.reason === 'consent-missing' && skip.missingPurposes && skip.missingPurposes.length > 0
                                ? t('simulator.skipped.missingPurposes', 'consent for {purposes} is not granted', {
                                    purposes: formatList(skip.missingPurposes.map((key) => purposeTitle.get(key) ?? key), { type: 'conjunction' }) as string,
                                  })
                                : reason(skip.reason)}
                            </Typography>
                          ))}
                        </Flex>
                      )}
                    </Td>
                    <Td>
                      <Typography variant="pi">{entry.read.length ? entry.read.join(', ') : '–'}</Typography>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
            {result.entries.length === 0 && (
              <Typography textColor="neutral600">{t('simulator.noEntries', 'No published entries in this locale.')}</Typography>
            )}
          </Flex>
        </Box>
      )}
    </Flex>
  );
};

/** Base entries for the picker, from the Content Manager list (which never lists variants). */
function useEntries(url: string | null) {
  const { get } = useFetchClient();
  const [entries, setEntries] = React.useState<Array<Record<string, unknown> & { documentId: string }> | null>(null);
  React.useEffect(() => {
    setEntries(null);
    if (!url) return;
    const controller = new AbortController();
    get<{ results: Array<Record<string, unknown> & { documentId: string }> }>(url, { signal: controller.signal })
      .then((response) => setEntries(response.data.results))
      .catch(() => undefined);
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url]);
  return { entries };
}
