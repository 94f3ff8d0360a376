// Values come from UP42 and from the receiver, so they are printed only after control
// characters are removed: a webhook name must not be able to move the cursor or fake lines.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g

function clean(value: string): string {
  return value.replace(CONTROL_CHARACTERS, ' ')
}

/** A plain-text table: a header row, then one row per item, columns padded to fit. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[]
): string {
  const cleaned = rows.map((row) => row.map(clean))
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cleaned.map((row) => (row[column] ?? '').length))
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)
      )
      .join('  ')
      .trimEnd()
  return [line(headers), ...cleaned.map(line)].join('\n') + '\n'
}

/** `label  value` lines with aligned values, for a single object. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length))
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${clean(value)}`).join('\n') + '\n'
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
