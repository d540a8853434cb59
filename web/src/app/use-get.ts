import { useEffect, useState } from 'preact/hooks';
import { request } from './api.ts';

/** A JSON document read with GET, again whenever `path` changes; an answer that arrives after the view left is dropped. */
export function useGet<T>(path: string): { data: T | undefined; error: unknown } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    request<T>('GET', path).then(
      (res) => live && setData(res.body),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return { data, error };
}
