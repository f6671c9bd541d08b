/** The plugin configuration, read-only: purposes, attribute catalogue, token status. Never a secret. */
import { Badge, Box, Flex, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { useConfiguration, type PluginConfiguration } from '../api';
import { useRuleWording } from '../hooks/useRuleWording';
import { useT } from '../hooks/useT';
import { PERMISSIONS } from '../permissions';

export const SettingsPage = () => {
  const t = useT();
  const { data: settings, problem, isLoading } = useConfiguration();
  const title = t('settings.title', 'Settings');

  return (
    <Page.Protect permissions={PERMISSIONS.settings}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={t('settings.subtitle', 'Read-only. Change these in config/plugins under "personalization" and restart Strapi.')}
        />
        <Layouts.Content>
          {isLoading && <Loader />}
          {problem && <Typography textColor="danger600">{problem.message}</Typography>}
          {settings && <SettingsView settings={settings} />}
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};

const Section = ({ title, children }: { title: string; children: React.ReactNode }) => (
  <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

const SettingsView = ({ settings }: { settings: PluginConfiguration }) => {
  const t = useT();
  const { typeName } = useRuleWording();
  const days = Math.round((settings.token.ttlSeconds / 86_400) * 10) / 10;
  const unlocks = (purpose: string) =>
    settings.attributes.filter((attribute) => attribute.purpose === purpose).map((attribute) => attribute.name);

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Section title={t('settings.token', 'Consent tokens')}>
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Flex gap={2}>
            <Typography fontWeight="bold">{t('settings.token.secret', 'Signing secret')}:</Typography>
            {settings.token.secretConfigured ? (
              <Badge variant="success">{t('settings.token.configured', 'configured')}</Badge>
            ) : (
              <Badge variant="danger">{t('settings.token.missing', 'missing: POST /consent cannot issue tokens')}</Badge>
            )}
          </Flex>
          <Typography>
            <Typography fontWeight="bold">{t('settings.token.ttl', 'Token lifetime')}:</Typography>{' '}
            {t('settings.token.ttlDays', '{days} days', { days })}
          </Typography>
          <Typography>
            <Typography fontWeight="bold">{t('settings.token.issuers', 'External issuers')}:</Typography>{' '}
            {settings.token.issuers.length ? settings.token.issuers.join(', ') : t('settings.none', 'none')}
          </Typography>
          <Typography>
            <Typography fontWeight="bold">{t('settings.policyVersion', 'Policy version')}:</Typography> {settings.policyVersion}
          </Typography>
          <Typography>
            <Typography fontWeight="bold">{t('settings.timeZone', 'Time zone for hour and weekday')}:</Typography> {settings.timeZone}
          </Typography>
          <Typography>
            <Typography fontWeight="bold">{t('settings.contentTypes', 'Content types with personalization')}:</Typography>{' '}
            {settings.contentTypes.length ? settings.contentTypes.map((contentType) => contentType.displayName).join(', ') : t('settings.none', 'none')}
          </Typography>
        </Flex>
      </Section>

      <Section title={t('settings.purposes', 'Purposes')}>
        <Table colCount={4} rowCount={settings.purposes.length + 1}>
          <Thead>
            <Tr>
              <Th><Typography variant="sigma">{t('settings.purpose.key', 'Key')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.purpose.title', 'Title')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.purpose.description', 'Description')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.purpose.unlocks', 'Unlocks')}</Typography></Th>
            </Tr>
          </Thead>
          <Tbody>
            {settings.purposes.map((purpose) => (
              <Tr key={purpose.key}>
                <Td><Typography fontWeight="bold">{purpose.key}</Typography></Td>
                <Td><Typography>{purpose.title}</Typography></Td>
                <Td><Typography>{purpose.description}</Typography></Td>
                <Td><Typography>{unlocks(purpose.key).join(', ') || '–'}</Typography></Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </Section>

      <Section title={t('settings.catalogue', 'Attribute catalogue')}>
        <Table colCount={5} rowCount={settings.attributes.length + 1}>
          <Thead>
            <Tr>
              <Th><Typography variant="sigma">{t('settings.attribute.name', 'Attribute')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.attribute.type', 'Type')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.attribute.source', 'Source')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.attribute.purpose', 'Purpose')}</Typography></Th>
              <Th><Typography variant="sigma">{t('settings.attribute.description', 'Description')}</Typography></Th>
            </Tr>
          </Thead>
          <Tbody>
            {settings.attributes.map((attribute) => (
              <Tr key={attribute.name}>
                <Td><Typography fontWeight="bold">{attribute.name}</Typography></Td>
                <Td><Typography>{typeName(attribute.type)}</Typography></Td>
                <Td>
                  <Typography>
                    {attribute.source === 'token'
                      ? t('settings.source.token', 'consent token')
                      : attribute.source === 'context'
                        ? t('settings.source.context', 'context header')
                        : t('settings.source.builtin', 'built-in')}
                  </Typography>
                </Td>
                <Td><Typography>{attribute.purpose ?? t('settings.attribute.noPurpose', 'none needed')}</Typography></Td>
                <Td><Typography textColor="neutral600">{attribute.description ?? ''}</Typography></Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </Section>
    </Flex>
  );
};
