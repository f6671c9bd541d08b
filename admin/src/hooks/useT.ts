import * as React from 'react';
import { useIntl } from 'react-intl';
import { getTranslation } from '../utils/getTranslation';

type Values = Record<string, string | number | boolean | null | undefined | Date>;

/** `t('panel.create', 'Create variant')`: a plugin message, its English default beside the id. */
export function useT() {
  const { formatMessage } = useIntl();
  return React.useCallback(
    (id: string, defaultMessage: string, values?: Values) =>
      formatMessage({ id: getTranslation(id), defaultMessage }, values as Record<string, string>),
    [formatMessage]
  );
}
