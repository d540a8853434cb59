import { strToU8, zipSync } from 'fflate';

/**
 * A minimal XLSX writer: the parts a workbook needs (content types, relationships, workbook,
 * one worksheet per sheet) and nothing else, zipped with fflate. Cells are text; `sharedStrings`
 * writes them to a shared-strings table as spreadsheet programs and KoBoToolbox do (otherwise
 * inline). Enough for the XLSForm and for test files; a full library (exceljs, ~1 MB bundled)
 * would not fit an API function's bundle.
 */
export interface Sheet {
  name: string;
  rows: readonly (readonly string[])[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Column letters of a 0-based index (0 → A, 26 → AA). */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export function xlsxWorkbook(sheets: readonly Sheet[], options: { sharedStrings?: boolean } = {}): Uint8Array {
  const shared = new Map<string, number>();
  const files: Record<string, Uint8Array> = {};
  sheets.forEach((sheet, i) => {
    const rows = sheet.rows
      .map((cells, r) => {
        const body = cells
          .map((value, c) => {
            if (value === '') return '';
            const ref = `${columnName(c)}${r + 1}`;
            if (!options.sharedStrings) return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
            let index = shared.get(value);
            if (index === undefined) shared.set(value, (index = shared.size));
            return `<c r="${ref}" t="s"><v>${index}</v></c>`;
          })
          .join('');
        return `<row r="${r + 1}">${body}</row>`;
      })
      .join('');
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(`${XML}<worksheet xmlns="${MAIN}"><sheetData>${rows}</sheetData></worksheet>`);
  });
  const sheetTypes = sheets
    .map(
      (_, i) =>
        `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
    )
    .join('');
  const sharedType = options.sharedStrings
    ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    : '';
  files['[Content_Types].xml'] = strToU8(
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ` +
      `ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default ` +
      `Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheetTypes}${sharedType}</Types>`,
  );
  files['_rels/.rels'] = strToU8(
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" ` +
      `Target="xl/workbook.xml"/></Relationships>`,
  );
  files['xl/workbook.xml'] = strToU8(
    `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${sheets.map((s, i) => `<sheet name="${escapeXml(s.name.slice(0, 31))}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
  );
  const sharedRel = options.sharedStrings ? `<Relationship Id="rId${sheets.length + 1}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '';
  files['xl/_rels/workbook.xml.rels'] = strToU8(
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}${sharedRel}</Relationships>`,
  );
  if (options.sharedStrings) {
    // After the worksheets in the archive, as spreadsheet programs write it: the reader must not depend on the order.
    files['xl/sharedStrings.xml'] = strToU8(
      `${XML}<sst xmlns="${MAIN}" count="${shared.size}" uniqueCount="${shared.size}">${[...shared.keys()].map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('')}</sst>`,
    );
  }
  return zipSync(files, { level: 6 });
}
