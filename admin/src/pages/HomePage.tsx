import { Box, Typography } from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { getTranslation } from '../utils/getTranslation';
import { PERMISSIONS } from '../permissions';

export const HomePage = () => {
  const { formatMessage } = useIntl();
  const title = formatMessage({ id: getTranslation('plugin.name'), defaultMessage: 'Personalization' });

  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={formatMessage({
            id: getTranslation('home.subtitle'),
            defaultMessage: 'Variants of your entries, served by audience and consent.',
          })}
        />
        <Layouts.Content>
          <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
            <Typography tag="p">
              {formatMessage({
                id: getTranslation('home.intro'),
                defaultMessage:
                  'Targeted variants are served only to visitors whose consent covers every purpose they need. Everyone else gets the generic content.',
              })}
            </Typography>
          </Box>
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};
