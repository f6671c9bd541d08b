import * as React from 'react';

/**
 * After a refused save, brings the first field in error into view and focuses it, so the message
 * next to it is seen even when it sits below the fold of a long dialog. Call `focusFirstError()`
 * after setting the errors; it acts once React has rendered them.
 */
export function useFocusFirstError<T extends HTMLElement>() {
  const container = React.useRef<T>(null);
  const [request, setRequest] = React.useState(0);

  React.useEffect(() => {
    if (request === 0 || !container.current) return;
    const first = container.current.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid="true"], [role="alert"]');
    if (!first) return;
    first.scrollIntoView({ block: 'center' });
    const focusable = first.matches('input, textarea, button, [tabindex], [role="combobox"]')
      ? first
      : first.querySelector<HTMLElement>('input, textarea, button, [role="combobox"]');
    (focusable ?? first).focus({ preventScroll: true });
  }, [request]);

  const focusFirstError = React.useCallback(() => setRequest((value) => value + 1), []);
  return { container, focusFirstError };
}
