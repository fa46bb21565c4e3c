// parquet_dump.mjs -- dump the strings of a Parquet file with hyparquet
// (pure JavaScript, an independent reader), for test_parquet_hyparquet.py.
//
//   node parquet_dump.mjs FILE...
//
// One JSON line per row: {"file", "row": i, "strings": [...], "keys": [...]}:
// every string value in the row (structs, lists and maps walked, in
// order), and the object keys met (map keys are keys here).  Bytes that
// hyparquet leaves as Uint8Array (no string annotation) are decoded as
// UTF-8 with replacement.
// Module resolution: NODE_PATH, or CONTAM_NPM_DIR/node_modules.
import { createRequire } from 'node:module'
import path from 'node:path'

const dir = process.env.CONTAM_NPM_DIR || '/opt/contam-npm'
const require = createRequire(path.join(dir, 'node_modules', 'x.js'))
const hp = await import(require.resolve('hyparquet'))
let compressors
try {
  compressors = (await import(require.resolve('hyparquet-compressors'))).compressors
} catch (e) {
  compressors = undefined
}

function walk(v, strings, keys) {
  if (typeof v === 'string') strings.push(v)
  else if (v instanceof Uint8Array) strings.push(new TextDecoder().decode(v))
  else if (Array.isArray(v)) for (const x of v) walk(x, strings, keys)
  else if (v && typeof v === 'object' && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      keys.push(k)
      walk(x, strings, keys)
    }
  }
}

// A damaged file can reject a second promise of hyparquet's after the
// first one was caught: that is the same file's error, not a crash.
process.on('unhandledRejection', () => {})

// Several files in one process (node starts slowly): each row line
// carries "file"; a file hyparquet cannot read gives {"file", "error"}.
for (const file of process.argv.slice(2)) {
  let rows
  try {
    const buf = await hp.asyncBufferFromFile(file)
    rows = await hp.parquetReadObjects({ file: buf, compressors })
  } catch (e) {
    process.stdout.write(JSON.stringify({ file, error: String(e && e.message) }) + '\n')
    continue
  }
  const out = []
  rows.forEach((row, i) => {
    const strings = []
    const keys = []
    // top-level column names are keys too: only values are compared
    for (const v of Object.values(row)) walk(v, strings, keys)
    out.push(JSON.stringify({ file, row: i, strings, keys }))
  })
  if (out.length) process.stdout.write(out.join('\n') + '\n')
}
