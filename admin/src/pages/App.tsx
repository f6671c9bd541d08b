import { Divider } from '@strapi/design-system';
import { Layouts, Page, SubNav } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';
import { ConsentRecordsPage } from './ConsentRecordsPage';
import { DataPage } from './DataPage';
import { HomePage } from './HomePage';
import { SegmentsPage } from './SegmentsPage';
import { SettingsPage } from './SettingsPage';
import { SimulatorPage } from './SimulatorPage';

const Navigation = () => {
  const t = useT();
  const can = usePluginPermissions();
  const title = t('plugin.name', 'Personalization');
  return (
    <SubNav.Main aria-label={title}>
      <SubNav.Header label={title} />
      <Divider />
      <SubNav.Content>
        <SubNav.Sections>
          {[
            <SubNav.Section key="pages" label={t('nav.section', 'Pages')}>
              {[
                <SubNav.Link key="home" to="" end label={t('nav.overview', 'Overview')}>
                  {t('nav.overview', 'Overview')}
                </SubNav.Link>,
                <SubNav.Link key="segments" to="segments" label={t('nav.segments', 'Segments')}>
                  {t('nav.segments', 'Segments')}
                </SubNav.Link>,
                <SubNav.Link key="simulator" to="simulator" label={t('nav.simulator', 'Simulator')}>
                  {t('nav.simulator', 'Simulator')}
                </SubNav.Link>,
                can.readConsentRecords ? (
                  <SubNav.Link key="consent" to="consent-records" label={t('nav.consentRecords', 'Consent records')}>
                    {t('nav.consentRecords', 'Consent records')}
                  </SubNav.Link>
                ) : null,
                <SubNav.Link key="data" to="data" label={t('nav.data', 'Data')}>
                  {t('nav.data', 'Data')}
                </SubNav.Link>,
                can.settings ? (
                  <SubNav.Link key="settings" to="settings" label={t('nav.settings', 'Settings')}>
                    {t('nav.settings', 'Settings')}
                  </SubNav.Link>
                ) : null,
              ].filter(Boolean)}
            </SubNav.Section>,
          ]}
        </SubNav.Sections>
      </SubNav.Content>
    </SubNav.Main>
  );
};

const App = () => (
  <Layouts.Root sideNav={<Navigation />}>
    <Routes>
      <Route index element={<HomePage />} />
      <Route path="segments" element={<SegmentsPage />} />
      <Route path="simulator" element={<SimulatorPage />} />
      <Route path="consent-records" element={<ConsentRecordsPage />} />
      <Route path="data" element={<DataPage />} />
      <Route path="settings" element={<SettingsPage />} />
      <Route path="*" element={<Page.Error />} />
    </Routes>
  </Layouts.Root>
);

export { App };
