/**
 * "Import from a file": a GeoJSON, KML or GPX file as a GPS unit or QGIS exports it, read on
 * the device (nothing is uploaded); its polygons go to the form, and what was skipped is said.
 */
import { useState } from 'preact/hooks';
import { useT } from '../../app/i18n.ts';
import { importPolygons, type ImportedPolygon } from './import-geo.ts';
import { planMessages } from './messages.ts';

/** Files larger than this are refused before they are read (a report holds at most 5,000 vertices anyway). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

const parseXml = (text: string): Document => new DOMParser().parseFromString(text, 'application/xml');

export function ImportFile({ id, label, onPolygons }: { id: string; label: string; onPolygons: (polygons: ImportedPolygon[]) => void }) {
  const t = useT(planMessages);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>(undefined);

  const read = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setMessage(undefined);
    try {
      if (file.size > MAX_FILE_BYTES) throw new Error(t('import.tooLarge'));
      const result = importPolygons(file.name, await file.text(), parseXml);
      const skipped = result.skipped.points + result.skipped.openLines;
      if (result.polygons.length === 0) {
        setMessage({ ok: false, text: t('import.none', { points: result.skipped.points, lines: result.skipped.openLines }) });
        return;
      }
      onPolygons(result.polygons);
      setMessage({
        ok: true,
        text: t(skipped > 0 ? 'import.doneSkipped' : 'import.done', {
          count: result.polygons.length,
          name: file.name,
          points: result.skipped.points,
          lines: result.skipped.openLines,
        }),
      });
    } catch (e: unknown) {
      setMessage({ ok: false, text: t('import.failed', { name: file.name, detail: e instanceof Error ? e.message : String(e) }) });
    } finally {
      input.value = '';
    }
  };

  return (
    <div class="field draw-import">
      <label for={`${id}-file`}>{label}</label>
      <p class="hint" id={`${id}-file-hint`}>
        {t('import.hint')}
      </p>
      <input
        id={`${id}-file`}
        type="file"
        accept=".geojson,.json,.kml,.gpx,application/geo+json,application/vnd.google-earth.kml+xml,application/gpx+xml"
        aria-describedby={`${id}-file-hint`}
        onChange={(e) => void read(e.currentTarget as HTMLInputElement)}
        data-testid={`${id}-file`}
      />
      {message && (
        <p
          class={message.ok ? 'notice notice-sent' : 'error'}
          role={message.ok ? 'status' : 'alert'}
          data-testid={`${id}-import-result`}
          data-ok={message.ok ? 'true' : 'false'}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
