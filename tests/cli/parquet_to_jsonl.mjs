// parquet_to_jsonl.mjs -- convert Parquet files to JSONL with hyparquet
// (pure JavaScript, an independent reader), for test_parquet_hyparquet.py:
// the JSONL conversion a user would make of a Hugging Face split.
//
//   node parquet_to_jsonl.mjs IN.parquet OUT.jsonl [IN OUT ...]
//
// One JSON object per row, columns in schema order.  Strings keep their
// bytes (a leading byte order mark too); BigInt becomes a number, dates
// and timestamps milliseconds since the epoch (numbers, as pandas writes
// them: no text), bytes without a string annotation UTF-8 text.  A file
// hyparquet cannot read gives a line {"error"} on stdout and no output.
// Module resolution: CONTAM_NPM_DIR/node_modules (default /opt/contam-npm).
import { createRequire } from 'node:module'
import fs from 'node:fs'
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
const keepBom = new TextDecoder('utf-8', { ignoreBOM: true })
const parsers = { stringFromBytes: b => b && keepBom.decode(b) }

function value (k, v) {
  const o = this[k]
  if (o instanceof Date) return o.getTime()
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Uint8Array) return keepBom.decode(v)
  return v
}

process.on('unhandledRejection', () => {})
const args = process.argv.slice(2)
for (let i = 0; i + 1 < args.length; i += 2) {
  const [inp, out] = [args[i], args[i + 1]]
  try {
    const buf = await hp.asyncBufferFromFile(inp)
    const rows = await hp.parquetReadObjects({ file: buf, compressors, parsers })
    fs.writeFileSync(out, rows.map(r => JSON.stringify(r, value) + '\n').join(''))
  } catch (e) {
    process.stdout.write(JSON.stringify({ file: inp, error: String(e && e.message) }) + '\n')
  }
}
