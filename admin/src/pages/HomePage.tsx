import { Box, Flex, Link, Loader, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import { useSettings } from '../api';
import { PersonalizedEntries } from '../components/PersonalizedEntries';
import { useT } from '../hooks/useT';
import { PERMISSIONS } from '../permissions';

/** Overview: what the plugin does, the personalized entries with their variants, and where variants are edited. */
export const HomePage = () => {
  const t = useT();
  const title = t('plugin.name', 'Personalization');
  const { data: settings, isLoading, problem } = useSettings();

  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header title={title} subtitle={t('home.subtitle', 'Variants of your entries, served by audience and consent.')} />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Typography tag="p">
                  {t(
                    'home.intro',
                    'Targeted variants are served only to visitors whose consent covers every purpose they need. Everyone else gets the generic content.'
                  )}
                </Typography>
                <Typography tag="p" textColor="neutral600">
                  {t(
                    'home.howTo',
                    'Open an entry of a content type below and use the Personalization panel on the right to create variants, give them an audience and order them.'
                  )}
                </Typography>
              </Flex>
            </Box>
            {settings && (
              <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                <PersonalizedEntries settings={settings} />
              </Box>
            )}
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Typography variant="delta" tag="h2">
                  {t('home.types', 'Content types with personalization')}
                </Typography>
                {isLoading && <Loader small />}
                {problem && <Typography textColor="danger600">{problem.message}</Typography>}
                {settings && settings.contentTypes.length === 0 && (
                  <Typography textColor="neutral600">
                    {t('home.types.none', 'None yet. Enable personalization in a content type’s advanced settings (Content-Type Builder).')}
                  </Typography>
                )}
                <Flex tag="ul" direction="column" alignItems="flex-start" gap={2}>
                  {settings?.contentTypes.map((contentType) => (
                    <li key={contentType.uid}>
                      <Link tag={NavLink} to={`/content-manager/${contentType.kind === 'singleType' ? 'single-types' : 'collection-types'}/${contentType.uid}`}>
                        {contentType.displayName}
                      </Link>
                    </li>
                  ))}
                </Flex>
              </Flex>
            </Box>
          </Flex>
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};
