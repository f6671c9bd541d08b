import * as React from 'react';
import { API, useResource, type Segment } from '../api';

/** Segment names by key, for showing what a variant lists; the key stands in until they load. Fetches only when `enabled`. */
export function useSegmentNames(enabled = true): (key: string) => string {
  const segments = useResource<Segment[]>(enabled ? API.segments : null);
  return React.useMemo(() => {
    const names = new Map((segments.data ?? []).map((segment) => [segment.key, segment.name]));
    return (key: string) => names.get(key) ?? key;
  }, [segments.data]);
}
