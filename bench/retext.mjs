// Peer for bench/throughput.sh: retext + retext-contractions (missing
// apostrophes in contractions, "dont" -> "don't") over a text file, one
// paragraph (line) at a time; prints the number of messages.
//   node bench/retext.mjs FILE        (after `npm ci` in bench/)
import {readFileSync} from 'node:fs'
import {retext} from 'retext'
import retextContractions from 'retext-contractions'

const processor = retext().use(retextContractions, {straight: true})
let messages = 0
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue
  const file = await processor.process(line)
  messages += file.messages.length
}
console.log(messages)
