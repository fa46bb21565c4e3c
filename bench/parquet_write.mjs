// parquet_write.mjs -- write the "text" (and "id") fields of a JSONL file
// as a Parquet file with hyparquet-writer (SNAPPY, row groups of 10000),
// the shape of a FineWeb shard, for bench/parquet.sh.
//   node parquet_write.mjs IN.jsonl OUT.parquet
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const dir = process.env.CONTAM_NPM_DIR || '/opt/contam-npm'
const require = createRequire(path.join(dir, 'node_modules', 'x.js'))
const { parquetWriteFile } = await import(require.resolve('hyparquet-writer'))
const [inp, out] = process.argv.slice(2)
const text = []
const id = []
for (const line of fs.readFileSync(inp, 'utf8').split('\n')) {
  if (!line.trim()) continue
  const o = JSON.parse(line)
  text.push(o.text)
  id.push(String(o.id ?? text.length - 1))
}
parquetWriteFile({
  filename: out,
  columnData: [
    { name: 'id', data: id, type: 'STRING' },
    { name: 'text', data: text, type: 'STRING' },
  ],
  rowGroupSize: 10000,
})
