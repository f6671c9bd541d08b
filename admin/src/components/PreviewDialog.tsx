/**
 * Preview as a visitor: the server signs a short-lived consent token for the chosen purposes and
 * attributes, optionally at a chosen date and time, and asks its own content API for the entry with
 * it (services/preview.ts). The editor sees which variant delivery served, and why.
 */
import * as React from 'react';
import { Badge, Box, Button, Flex, Modal, Typography } from '@strapi/design-system';
import { Eye } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { API, problemOf, type ApiProblem, type EnabledContentType, type PluginSettings, type VariantRecord } from '../api';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { useT } from '../hooks/useT';
import { PreviewTimeField } from './PreviewVisitorControls';
import { NO_CONSENT, sharedAttributes, VisitorFields, type Visitor } from './VisitorFields';

interface PreviewAnswer {
  response: { status: number; body: any };
}

export interface PreviewDialogProps {
  onClose(): void;
  contentType: EnabledContentType;
  baseDocumentId: string;
  locale: string | null;
  settings: PluginSettings;
  variants: readonly VariantRecord[];
}

export const PreviewDialog = ({ onClose, contentType, baseDocumentId, locale, settings, variants }: PreviewDialogProps) => {
  const t = useT();
  const reason = useReasonLabel();
  const { post } = useFetchClient();
  const [visitor, setVisitor] = React.useState<Visitor>({ ...NO_CONSENT, purposes: ['personalization'] });
  const [at, setAt] = React.useState<Date | null>(null);
  const [answer, setAnswer] = React.useState<PreviewAnswer | null>(null);
  const [failure, setFailure] = React.useState<ApiProblem | null>(null);
  const [loading, setLoading] = React.useState(false);

  const run = async () => {
    setLoading(true);
    setFailure(null);
    try {
      const response = await post<{ data: PreviewAnswer }>(API.preview, {
        contentType: contentType.uid,
        documentId: baseDocumentId,
        purposes: visitor.purposes,
        attributes: sharedAttributes(settings, visitor, true),
        locale,
        at: at?.toISOString() ?? null,
      });
      setAnswer(response.data.data);
    } catch (error) {
      setAnswer(null);
      setFailure(problemOf(error));
    } finally {
      setLoading(false);
    }
  };

  const entry = answer?.response.body?.data;
  const label = entry?.personalization as { variant: string | null; kind: string; reason: string } | undefined;
  const served = label?.variant ? variants.find((variant) => variant.key === label.variant)?.name ?? label.variant : null;

  return (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <Modal.Header closeLabel={t('dialog.close', 'Close')}>
          <Modal.Title>{t('preview.title', 'Preview as a visitor')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={5}>
            <Typography variant="omega" textColor="neutral600">
              {t(
                'preview.intro',
                'A consent token valid for ten minutes is signed for this visitor and sent to the content API, which answers as it would to them. No consent record is written.'
              )}
            </Typography>
            <VisitorFields settings={settings} visitor={visitor} onChange={setVisitor} grantedOnly />
            <PreviewTimeField at={at} onChange={setAt} timeZone={settings.timeZone} />
            {failure && (
              <Typography textColor="danger600" role="alert">
                {failure.message}
              </Typography>
            )}
            {answer && (
              <Box background="neutral100" padding={4} hasRadius data-testid="preview-result">
                <Flex direction="column" alignItems="stretch" gap={3}>
                  {answer.response.status === 200 && label ? (
                    <>
                      <Flex gap={2} alignItems="center">
                        <Badge variant={label.kind === 'targeted' ? 'primary' : label.kind === 'mass' ? 'alternative' : 'neutral'} size="S">
                          {label.kind === 'targeted' ? t('kind.targeted', 'Targeted') : label.kind === 'mass' ? t('kind.mass', 'Mass') : t('kind.base', 'Base')}
                        </Badge>
                        <Typography fontWeight="bold">{served ?? t('simulator.baseEntry', 'Base entry')}</Typography>
                        <Typography variant="pi" textColor="neutral600">
                          {reason(label.reason)}
                        </Typography>
                      </Flex>
                      <Typography>
                        <Typography fontWeight="bold">{contentType.mainField}:</Typography> {String(entry?.[contentType.mainField] ?? '–')}
                      </Typography>
                    </>
                  ) : (
                    <Typography textColor="danger600">
                      {t('preview.failed', 'The content API answered {status}.', { status: answer.response.status })}
                    </Typography>
                  )}
                </Flex>
              </Box>
            )}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('dialog.close', 'Close')}</Button>
          </Modal.Close>
          <Button startIcon={<Eye />} onClick={run} loading={loading} disabled={visitor.purposes.length === 0 && !at}>
            {t('preview.run', 'Preview')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
