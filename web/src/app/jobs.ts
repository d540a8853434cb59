/**
 * The two halves of every file job the console starts (household imports, assistance lists):
 * PUT the file to the job's signed upload URL, then follow the job until it finishes.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, isNetworkError, request, type Problem } from './api.ts';

/** How often a running job is asked for its progress. */
export const JOB_POLL_MS = 1000;

/** PUTs the file with upload progress (fetch cannot report it). No Authorization: the URL carries its own signature. */
export function uploadFile(
  url: string,
  file: File,
  onProgress: (percent: number) => void = () => {},
  contentType = file.type || 'application/octet-stream',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else {
        const problem: Problem = { type: 'about:blank', title: xhr.statusText || `HTTP ${xhr.status}`, status: xhr.status };
        try {
          const body = JSON.parse(xhr.responseText) as Partial<Problem>;
          if (typeof body.title === 'string') problem.title = body.title;
          if (typeof body.detail === 'string') problem.detail = body.detail;
        } catch {
          // S3 answers XML: keep the status line
        }
        reject(new ApiError(problem));
      }
    };
    xhr.onerror = () => reject(new ApiError({ type: 'about:blank#network', title: 'Network error', status: 0 }));
    xhr.send(file);
  });
}

/**
 * The job at `path`, asked again every {@link JOB_POLL_MS} until `finished` says so. A refusal
 * stops asking (it will not change by asking again); a lost signal keeps asking.
 */
export function useJob<T>(path: string, finished: (job: T) => boolean): { job: T | undefined; error: unknown } {
  const [job, setJob] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const res = await request<T>('GET', path);
        if (stopped) return;
        setJob(res.body);
        setError(undefined);
        if (finished(res.body)) return;
      } catch (e: unknown) {
        if (stopped) return;
        setError(e);
        if (!isNetworkError(e)) return;
      }
      timer = setTimeout(() => void poll(), JOB_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [path]);
  return { job, error };
}
