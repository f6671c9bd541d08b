/**
 * At the top of a variant's edit view (the Content Manager's `editView.right-links` zone, under the
 * save and publish buttons): which variant this is, of which kind, and a link back to its base.
 * A variant's fields start as a copy of the base's, so without it the page reads as the base.
 */
import { Badge, Box, Flex, Link, Typography } from '@strapi/design-system';
import { unstable_useContentManagerContext, unstable_useDocument } from '@strapi/strapi/admin';
import { NavLink, useLocation } from 'react-router-dom';
import { API, useResource, useSettings, type VariantListItem } from '../api';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';

export const VariantBanner = () => {
  const { model, collectionType, id } = unstable_useContentManagerContext();
  const can = usePluginPermissions();
  const { data: settings } = useSettings(can.read);
  const contentType = settings?.contentTypes.find((type) => type.uid === model);
  // Variants, of single types too, are opened by id on the collection-type route.
  if (!can.read || !contentType || !id || collectionType !== 'collection-types') return null;
  return <Banner model={model} documentId={id} singleType={contentType.kind === 'singleType'} />;
};

const Banner = ({ model, documentId, singleType }: { model: string; documentId: string; singleType: boolean }) => {
  const t = useT();
  const { search } = useLocation();
  const locale = new URLSearchParams(search).get('plugins[i18n][locale]');
  const { document } = unstable_useDocument({
    collectionType: 'collection-types',
    model,
    documentId,
    params: locale ? { locale } : {},
  });
  const baseDocumentId = (document as { variantOf?: string | null } | undefined)?.variantOf ?? null;
  const variants = useResource<VariantListItem[]>(baseDocumentId ? API.variantsOf(model, baseDocumentId) : null);
  if (!baseDocumentId) return null;
  const record = variants.data?.find((candidate) => candidate.variantDocumentId === documentId);
  const query = locale ? `?${new URLSearchParams({ 'plugins[i18n][locale]': locale })}` : '';

  return (
    <Box
      width="100%"
      background="primary100"
      borderColor="primary200"
      borderStyle="solid"
      borderWidth="1px"
      hasRadius
      padding={3}
      role="status"
      data-testid="variant-banner"
    >
      <Flex direction="column" alignItems="flex-start" gap={1}>
        <Flex gap={2} wrap="wrap">
          <Typography variant="omega" fontWeight="bold">
            {record
              ? t('banner.title', 'Variant “{name}”', { name: record.name })
              : t('panel.variant.bannerUnknown', 'Variant of a base entry')}
          </Typography>
          {record && (
            <Badge size="S" variant={record.kind === 'targeted' ? 'primary' : 'alternative'}>
              {record.kind === 'targeted' ? t('kind.targeted', 'Targeted') : t('kind.mass', 'Mass')}
            </Badge>
          )}
        </Flex>
        <Typography variant="pi" textColor="neutral700">
          {t('banner.explain', 'Visitors it is meant for see this content instead of the base entry’s.')}
        </Typography>
        <Link
          tag={NavLink}
          to={singleType ? `/content-manager/single-types/${model}${query}` : `/content-manager/collection-types/${model}/${baseDocumentId}${query}`}
        >
          {t('panel.variant.openBase', 'Open the base entry')}
        </Link>
      </Flex>
    </Box>
  );
};
