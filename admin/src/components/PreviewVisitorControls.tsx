/**
 * Visitor controls in the header of Strapi's Preview (injection zone `preview.actions`): the editor
 * picks the purposes and attributes of a visitor and, optionally, a date and time; the server signs a
 * ten-minute preview token for them (services/preview.ts, no consent record; the time rides in it
 * as `pat`), and the frontend in the preview frame receives its headers by `postMessage`, so the
 * real page renders as that visitor gets it at that moment. The frontend side is in the demo's
 * visitor site (playground/public/site/app.js).
 */
import * as React from 'react';
import { Badge, Box, Button, DateTimePicker, Field, Flex, Modal, Typography } from '@strapi/design-system';
import { Eye } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { useLocation, useParams } from 'react-router-dom';
import { API, problemOf, useSettings, type ApiProblem } from '../api';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { usePurposeTitles } from '../hooks/usePurposeTitles';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';
import { NO_CONSENT, sharedAttributes, VisitorFields, type Visitor } from './VisitorFields';

/** The message the preview frame receives: the headers to send with every content request. */
export const VISITOR_MESSAGE = 'personalization:visitor';
/** The message the preview frame sends when it (re)loads and wants the headers again. */
export const READY_MESSAGE = 'personalization:ready';

interface PreviewAnswer {
  request: { headers: Record<string, string> };
  response: { status: number; body: any };
}

interface Label {
  variant: string | null;
  kind: string;
  reason: string;
}

/** Strapi renders the preview in this frame; it hands its injected components no reference to it. */
function previewFrame(): HTMLIFrameElement | null {
  return document.querySelector<HTMLIFrameElement>('iframe[data-testid="preview-iframe"]');
}

function sendToFrame(headers: Record<string, string>) {
  const frame = previewFrame();
  if (!frame?.contentWindow || !frame.src) return;
  frame.contentWindow.postMessage({ type: VISITOR_MESSAGE, headers }, new URL(frame.src, window.location.href).origin);
}

/**
 * The moment to preview, in the editor's own clock; empty means now. Rules on hour and weekday read
 * it in the plugin's configured time zone, which the hint names.
 */
export const PreviewTimeField = ({ at, onChange, timeZone }: { at: Date | null; onChange(at: Date | null): void; timeZone: string }) => {
  const t = useT();
  return (
    <Field.Root
      name="at"
      hint={t('previewVisitor.at.hint', 'Empty: now. Schedules, campaigns and time rules are decided as of this moment; hour and weekday in {zone}.', {
        zone: timeZone,
      })}
    >
      <Field.Label>{t('previewVisitor.at', 'Date and time')}</Field.Label>
      <DateTimePicker value={at} onChange={(date) => onChange(date ?? null)} onClear={() => onChange(null)} clearLabel={t('variant.schedule.clear', 'Clear')} />
      <Field.Hint />
    </Field.Root>
  );
};

export const PreviewVisitorControls = () => {
  const can = usePluginPermissions();
  const { data: settings } = useSettings(can.read);
  const { slug: uid, id: routeDocumentId } = useParams<{ slug: string; id?: string }>();
  const { search } = useLocation();
  const locale = new URLSearchParams(search).get('plugins[i18n][locale]');
  const contentType = settings?.contentTypes.find((candidate) => candidate.uid === uid);
  if (!can.read || !settings || !contentType || !uid) return null;
  return <Controls uid={uid} routeDocumentId={routeDocumentId} locale={locale} settings={settings} kind={contentType.kind} />;
};

interface ControlsProps {
  uid: string;
  routeDocumentId?: string;
  locale: string | null;
  settings: NonNullable<ReturnType<typeof useSettings>['data']>;
  kind: 'collectionType' | 'singleType';
}

const Controls = ({ uid, routeDocumentId, locale, settings, kind }: ControlsProps) => {
  const t = useT();
  const reason = useReasonLabel();
  const { formatDate } = useIntl();
  const { get, post } = useFetchClient();
  const [open, setOpen] = React.useState(false);
  const [visitor, setVisitor] = React.useState<Visitor>(NO_CONSENT);
  const [at, setAt] = React.useState<Date | null>(null);
  const [applied, setApplied] = React.useState<{ visitor: Visitor; at: Date | null; headers: Record<string, string>; label: Label | null }>({
    visitor: NO_CONSENT,
    at: null,
    headers: {},
    label: null,
  });
  const [failure, setFailure] = React.useState<ApiProblem | null>(null);
  const [loading, setLoading] = React.useState(false);

  // The frame reloads on navigation and on every save: it asks again, and gets the same visitor.
  const headers = React.useRef(applied.headers);
  headers.current = applied.headers;
  React.useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const frame = previewFrame();
      if (!frame || event.source !== frame.contentWindow || event.data?.type !== READY_MESSAGE) return;
      sendToFrame(headers.current);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  /** A single type's route has no document id; the preview endpoint needs one to find the entry. */
  async function documentId(): Promise<string> {
    if (kind === 'collectionType' && routeDocumentId) return routeDocumentId;
    const query = locale ? `?locale=${encodeURIComponent(locale)}` : '';
    const response = await get<{ data: { documentId: string } }>(`/content-manager/single-types/${uid}${query}`);
    return response.data.data.documentId;
  }

  const apply = async () => {
    setLoading(true);
    setFailure(null);
    try {
      if (visitor.purposes.length === 0 && !at) {
        setApplied({ visitor, at: null, headers: {}, label: null });
        sendToFrame({});
      } else {
        // No purposes but a time: a token that grants nothing optional, only to carry the time.
        const response = await post<{ data: PreviewAnswer }>(API.preview, {
          contentType: uid,
          documentId: await documentId(),
          purposes: visitor.purposes,
          attributes: sharedAttributes(settings, visitor, true),
          locale,
          at: at?.toISOString() ?? null,
        });
        const answer = response.data.data;
        setApplied({ visitor, at, headers: answer.request.headers, label: answer.response.body?.data?.personalization ?? null });
        sendToFrame(answer.request.headers);
      }
      setOpen(false);
    } catch (error) {
      setFailure(problemOf(error));
    } finally {
      setLoading(false);
    }
  };

  const titles = usePurposeTitles(settings.purposes);
  const who =
    applied.visitor.purposes.length === 0
      ? t('previewVisitor.none', 'Visitor: no consent')
      : t('previewVisitor.some', 'Visitor: {purposes}', {
          purposes: [
            ...applied.visitor.purposes.map((key) => titles.get(key) ?? key),
            ...Object.entries(sharedAttributes(settings, applied.visitor, true)).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`),
          ].join(' + '),
        });
  const summary = applied.at
    ? t('previewVisitor.at.summary', '{visitor}, on {time} ({zone})', {
        visitor: who,
        time: formatDate(applied.at, { dateStyle: 'medium', timeStyle: 'short', timeZone: settings.timeZone }),
        zone: settings.timeZone,
      })
    : who;

  return (
    <Modal.Root open={open} onOpenChange={setOpen}>
      <Modal.Trigger>
        <Button variant="secondary" startIcon={<Eye />} data-testid="personalization-preview-visitor">
          {summary}
        </Button>
      </Modal.Trigger>
      <Modal.Content>
        <Modal.Header closeLabel={t('dialog.close', 'Close')}>
          <Modal.Title>{t('previewVisitor.title', 'Preview as a visitor')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={5}>
            <Typography variant="omega" textColor="neutral600">
              {t(
                'previewVisitor.intro',
                'The page in the preview renders as a visitor with this consent gets it: a token valid for ten minutes is signed for them and sent with every content request. No consent record is written. With nothing ticked, the visitor has no consent.'
              )}
            </Typography>
            <VisitorFields settings={settings} visitor={visitor} onChange={setVisitor} grantedOnly />
            <PreviewTimeField at={at} onChange={setAt} timeZone={settings.timeZone} />
            {failure && (
              <Typography textColor="danger600" role="alert">
                {failure.message}
              </Typography>
            )}
            {applied.label && (
              <Box background="neutral100" padding={4} hasRadius data-testid="preview-visitor-decision">
                <Flex gap={2} alignItems="center">
                  <Badge variant={applied.label.kind === 'targeted' ? 'primary' : applied.label.kind === 'mass' ? 'alternative' : 'neutral'} size="S">
                    {applied.label.kind === 'targeted'
                      ? t('kind.targeted', 'Targeted')
                      : applied.label.kind === 'mass'
                        ? t('kind.mass', 'Mass')
                        : t('kind.base', 'Base')}
                  </Badge>
                  <Typography fontWeight="bold">{applied.label.variant ?? t('simulator.baseEntry', 'Base entry')}</Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {reason(applied.label.reason)}
                  </Typography>
                </Flex>
              </Box>
            )}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('dialog.close', 'Close')}</Button>
          </Modal.Close>
          <Button onClick={apply} loading={loading}>
            {t('previewVisitor.apply', 'Show the page to this visitor')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
