/** Segments: named, reusable audiences that variants reference, with how many variants use each. */
import * as React from 'react';
import {
  Box,
  Button,
  Dialog,
  EmptyStateLayout,
  Field,
  Flex,
  Grid,
  IconButton,
  Link,
  Loader,
  Modal,
  Popover,
  Table,
  Tbody,
  Td,
  TextInput,
  TextButton,
  Textarea,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Pencil, Plus, Trash } from '@strapi/icons';
import { ConfirmDialog, Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import { API, formFieldOf, problemOf, useResource, useSettings, type PluginSettings, type Segment, type SegmentUser } from '../api';
import { RuleBuilder } from '../components/RuleBuilder';
import { keyFromName } from '../components/VariantDialog';
import { useFocusFirstError } from '../hooks/useFocusFirstError';
import { useRuleWording } from '../hooks/useRuleWording';
import { useT } from '../hooks/useT';
import { PERMISSIONS, usePluginPermissions } from '../permissions';
import { describeRule } from '../rules/describe';

export const SegmentsPage = () => {
  const t = useT();
  const can = usePluginPermissions();
  const { del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { data: settings } = useSettings();
  const segments = useResource<Segment[]>(API.segments);
  const { wording } = useRuleWording();
  const [editing, setEditing] = React.useState<{ segment?: Segment } | null>(null);
  const title = t('segments.title', 'Segments');

  const remove = async (segment: Segment) => {
    try {
      await del(API.segment(segment.documentId));
      toggleNotification({ type: 'success', message: t('segments.deleted', 'Segment “{name}” deleted.', { name: segment.name }) });
      segments.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: problemOf(error).message });
    }
  };

  const missing = segments.problem?.status === 404;

  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={t('segments.subtitle', 'Reusable audiences. A variant that lists a segment is served only to visitors in it.')}
          primaryAction={
            can.manageSegments && !missing ? (
              <Button startIcon={<Plus />} onClick={() => setEditing({})}>
                {t('segments.create', 'Create segment')}
              </Button>
            ) : undefined
          }
        />
        <Layouts.Content>
          {segments.isLoading && !segments.data && <Loader />}
          {missing && <EmptyStateLayout content={t('segments.unavailable', 'Segments are not available on this server yet.')} />}
          {segments.problem && !missing && <Typography textColor="danger600">{segments.problem.message}</Typography>}
          {segments.data && segments.data.length === 0 && (
            <EmptyStateLayout
              content={t('segments.empty', 'No segments yet. Create one to reuse an audience across variants.')}
              action={
                can.manageSegments ? (
                  <Button variant="secondary" startIcon={<Plus />} onClick={() => setEditing({})}>
                    {t('segments.create', 'Create segment')}
                  </Button>
                ) : undefined
              }
            />
          )}
          {settings && segments.data && segments.data.length > 0 && (
            <Table colCount={5} rowCount={segments.data.length + 1}>
              <Thead>
                <Tr>
                  <Th><Typography variant="sigma">{t('segments.name', 'Name')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('segments.key', 'Key')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('segments.rule', 'Audience')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('segments.usage', 'Used by')}</Typography></Th>
                  <Th><Typography variant="sigma">{t('segments.actions', 'Actions')}</Typography></Th>
                </Tr>
              </Thead>
              <Tbody>
                {segments.data.map((segment) => (
                  <Tr key={segment.documentId}>
                    <Td><Typography fontWeight="bold">{segment.name}</Typography></Td>
                    <Td><Typography textColor="neutral600">{segment.key}</Typography></Td>
                    <Td><Typography>{describeRule(segment.rule, settings.attributes, wording)}</Typography></Td>
                    <Td>
                      {segment.usage === 0 ? (
                        <Typography>{t('segments.usage.count', '{count, plural, =0 {no variant} one {# variant} other {# variants}}', { count: segment.usage })}</Typography>
                      ) : (
                        <SegmentUsage segment={segment}>
                          <TextButton>
                            {t('segments.usage.count', '{count, plural, =0 {no variant} one {# variant} other {# variants}}', { count: segment.usage })}
                          </TextButton>
                        </SegmentUsage>
                      )}
                    </Td>
                    <Td>
                      <Flex gap={1}>
                        <IconButton label={t('segments.edit', 'Edit “{name}”', { name: segment.name })} variant="ghost" onClick={() => setEditing({ segment })}>
                          <Pencil />
                        </IconButton>
                        {can.manageSegments && segment.usage > 0 && (
                          <SegmentUsage segment={segment} blocksDelete>
                            <IconButton label={t('segments.delete', 'Delete “{name}”', { name: segment.name })} variant="ghost" aria-disabled="true" data-in-use="true">
                              <Trash />
                            </IconButton>
                          </SegmentUsage>
                        )}
                        {can.manageSegments && segment.usage === 0 && (
                          <Dialog.Root>
                            <Dialog.Trigger>
                              <IconButton label={t('segments.delete', 'Delete “{name}”', { name: segment.name })} variant="ghost">
                                <Trash />
                              </IconButton>
                            </Dialog.Trigger>
                            <ConfirmDialog onConfirm={() => remove(segment)} variant="danger">
                              {t('segments.delete.confirm', 'Delete the segment “{name}”?', { name: segment.name })}
                            </ConfirmDialog>
                          </Dialog.Root>
                        )}
                      </Flex>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          )}
        </Layouts.Content>
        {editing && settings && (
          <SegmentDialog
            segment={editing.segment}
            settings={settings}
            readOnly={!can.manageSegments}
            onClose={() => setEditing(null)}
            onSaved={(saved) => {
              setEditing(null);
              toggleNotification({ type: 'success', message: t('segments.saved', 'Segment “{name}” saved.', { name: saved.name }) });
              segments.reload();
            }}
          />
        )}
      </Page.Main>
    </Page.Protect>
  );
};

interface SegmentDialogProps {
  segment?: Segment;
  settings: PluginSettings;
  readOnly: boolean;
  onClose(): void;
  onSaved(segment: Segment): void;
}

const SegmentDialog = ({ segment, settings, readOnly, onClose, onSaved }: SegmentDialogProps) => {
  const t = useT();
  const { post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { container, focusFirstError } = useFocusFirstError<HTMLFormElement>();
  const detail = useResource<Segment>(segment ? API.segment(segment.documentId) : null);
  const [name, setName] = React.useState(segment?.name ?? '');
  const [key, setKey] = React.useState(segment?.key ?? '');
  const [keyEdited, setKeyEdited] = React.useState(Boolean(segment));
  const [description, setDescription] = React.useState(segment?.description ?? '');
  const [rule, setRule] = React.useState<{ value: unknown; complete: boolean }>({ value: segment?.rule ?? null, complete: true });
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [attempted, setAttempted] = React.useState(false);
  const [saving, setSaving] = React.useState(false);
  const usedBy = detail.data?.usedBy ?? [];

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    const found: Record<string, string> = {};
    if (name.trim() === '') found.name = t('segments.error.name', 'Give the segment a name.');
    if (rule.value === null) found.rule = t('segments.error.rule', 'A segment needs at least one condition.');
    else if (!rule.complete) found.rule = t('variant.error.audience', 'Complete or remove the highlighted conditions.');
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstError();
    const body = { name: name.trim(), key, description: description.trim() || null, rule: rule.value };
    setSaving(true);
    try {
      const response = segment
        ? await put<{ data: Segment }>(API.segment(segment.documentId), body)
        : await post<{ data: Segment }>(API.segments, body);
      onSaved(response.data.data);
    } catch (error) {
      const problem = problemOf(error);
      const field = formFieldOf(problem.field);
      setErrors(field && ['name', 'key', 'description', 'rule'].includes(field) ? { [field]: problem.field === field ? problem.fieldMessage : problem.message } : { form: problem.message });
      toggleNotification({ type: 'danger', message: t('segments.error.notSaved', 'The segment was not saved. See the highlighted field.') });
      focusFirstError();
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={submit} noValidate ref={container}>
          <Modal.Header closeLabel={t('dialog.close', 'Close')}>
            <Modal.Title>
              {segment ? t('segments.dialog.editTitle', 'Segment “{name}”', { name: segment.name }) : t('segments.dialog.createTitle', 'Create a segment')}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={5}>
              {errors.form && (
                <Typography textColor="danger600" role="alert">
                  {errors.form}
                </Typography>
              )}
              <Grid.Root gap={4}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="name" error={errors.name} required>
                    <Field.Label>{t('segments.name', 'Name')}</Field.Label>
                    <TextInput
                      value={name}
                      disabled={readOnly}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        setName(event.target.value);
                        if (!keyEdited) setKey(keyFromName(event.target.value));
                      }}
                    />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root
                    name="key"
                    error={errors.key}
                    required
                    hint={usedBy.length > 0 ? t('segments.key.locked', 'Variants reference this key; it cannot change while they do.') : undefined}
                  >
                    <Field.Label>{t('segments.key', 'Key')}</Field.Label>
                    <TextInput
                      value={key}
                      disabled={readOnly || usedBy.length > 0}
                      onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                        setKey(event.target.value);
                        setKeyEdited(true);
                      }}
                    />
                    <Field.Error />
                    <Field.Hint />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>
              <Field.Root name="description" error={errors.description}>
                <Field.Label>{t('segments.description', 'Description')}</Field.Label>
                <Textarea value={description} disabled={readOnly} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setDescription(event.target.value)} />
                <Field.Error />
              </Field.Root>
              <Flex direction="column" alignItems="stretch" gap={1}>
                <Typography variant="pi" fontWeight="bold" textColor="neutral800">
                  {t('segments.rule', 'Audience')}
                </Typography>
                <RuleBuilder
                  label={t('segments.rule', 'Audience')}
                  value={rule.value}
                  attributes={settings.attributes}
                  locales={settings.locales}
                  showIncomplete={attempted}
                  onChange={(value, complete) => setRule({ value, complete })}
                />
                {errors.rule && (
                  <Typography variant="pi" textColor="danger600" role="alert">
                    {errors.rule}
                  </Typography>
                )}
              </Flex>
              {segment && (
                <Box>
                  <Typography variant="sigma" textColor="neutral600" tag="h3">
                    {t('segments.usedBy', 'Used by')}
                  </Typography>
                  {usedBy.length === 0 ? (
                    <Typography variant="pi" textColor="neutral600" tag="p">
                      {t('segments.usedBy.none', 'No variant uses this segment.')}
                    </Typography>
                  ) : (
                    <Box paddingTop={2}>
                      <VariantLinks users={usedBy} />
                    </Box>
                  )}
                </Box>
              )}
            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary">{t('dialog.cancel', 'Cancel')}</Button>
            </Modal.Close>
            {!readOnly && (
              <Button type="submit" loading={saving}>
                {t('segments.save', 'Save segment')}
              </Button>
            )}
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
};

/** The variants that use a segment, each linked to its entry in the Content Manager. */
const VariantLinks = ({ users }: { users: SegmentUser[] }) => (
  <Flex tag="ul" direction="column" alignItems="flex-start" gap={1}>
    {users.map((user) => (
      <li key={`${user.contentType}:${user.variantDocumentId}`}>
        <Link tag={NavLink} to={`/content-manager/collection-types/${user.contentType}/${user.variantDocumentId}`}>
          {user.name}
        </Link>
      </li>
    ))}
  </Flex>
);

/**
 * Which variants use a segment, opened from its usage count or from its delete button; for the
 * delete button it first says why the segment cannot be deleted.
 */
const SegmentUsage = ({ segment, blocksDelete = false, children }: { segment: Segment; blocksDelete?: boolean; children: React.ReactNode }) => {
  const t = useT();
  const [open, setOpen] = React.useState(false);
  const detail = useResource<Segment>(open ? API.segment(segment.documentId) : null);
  const usedBy = detail.data?.usedBy ?? [];
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger>{children}</Popover.Trigger>
      <Popover.Content>
        <Box padding={4} maxWidth="32rem" data-testid={`segment-usage-${segment.key}`}>
          <Flex direction="column" alignItems="flex-start" gap={2}>
            <Typography variant="omega" fontWeight={blocksDelete ? 'bold' : undefined}>
              {blocksDelete
                ? t('segments.delete.inUse', '“{name}” cannot be deleted while variants use it. Remove it from these variants first:', { name: segment.name })
                : t('segments.usedBy.list', 'Variants that use “{name}”:', { name: segment.name })}
            </Typography>
            {detail.isLoading && <Loader small />}
            {detail.problem && <Typography textColor="danger600">{detail.problem.message}</Typography>}
            <VariantLinks users={usedBy} />
          </Flex>
        </Box>
      </Popover.Content>
    </Popover.Root>
  );
};
