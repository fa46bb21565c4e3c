// parquet_write_fineweb.mjs -- write a JSONL file's rows as a Parquet
// shard laid out as FineWeb's are (text, id, dump, url, date, file_path,
// language: strings; language_score: DOUBLE; token_count: INT64), with
// hyparquet-writer, for test_parquet_hyparquet.py.
//
//   node parquet_write_fineweb.mjs IN.jsonl OUT.parquet CODEC ROWS [TEXT_ENCODING]
//
// CODEC: SNAPPY or UNCOMPRESSED; ROWS: rows per row group; TEXT_ENCODING
// (optional): the text column's encoding, e.g. DELTA_LENGTH_BYTE_ARRAY.
// Module resolution: CONTAM_NPM_DIR/node_modules (default /opt/contam-npm).
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const dir = process.env.CONTAM_NPM_DIR || '/opt/contam-npm'
const require = createRequire(path.join(dir, 'node_modules', 'x.js'))
const { parquetWriteFile } = await import(require.resolve('hyparquet-writer'))
const [inp, out, codec, rows, textEncoding] = process.argv.slice(2)
const recs = fs.readFileSync(inp, 'utf8').split('\n').filter(l => l).map(l => JSON.parse(l))
const str = (name, extra = {}) => ({ name, type: 'STRING', data: recs.map(r => r[name] ?? null), ...extra })
parquetWriteFile({
  filename: out,
  codec,
  rowGroupSize: Number(rows),
  columnData: [
    str('text', textEncoding ? { encoding: textEncoding } : {}),
    str('id'), str('dump'), str('url'), str('date'), str('file_path'), str('language'),
    { name: 'language_score', type: 'DOUBLE', data: recs.map(r => r.language_score) },
    { name: 'token_count', type: 'INT64', data: recs.map(r => BigInt(r.token_count)) },
  ],
})
