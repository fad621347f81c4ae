/**
 * Loaded into Electronegativity's process by scripts/security.mjs (node --import). Electronegativity
 * writes its CSV report with two fs.writeFile calls it does not wait for (its util/file.js: the header
 * with flag 'w', then the rows with flag 'a'); when the rows land first, the header is written over
 * their start, and the report is damaged (one run in three here). Made synchronous for the report's
 * path only, the two writes land in the order they were made. (`fs` here is the module object that
 * Electronegativity's require('fs') gets, so the change reaches it.)
 */
import fs from 'node:fs'

const report = process.env.INTERLEAVE_SECURITY_REPORT
const writeFile = fs.writeFile

fs.writeFile = function (file, data, options, callback) {
  if (!report || file !== report) return writeFile.call(this, file, data, options, callback)
  const done = typeof options === 'function' ? options : callback
  try {
    fs.writeFileSync(file, data, typeof options === 'function' ? undefined : options)
  } catch (e) {
    if (done) return done(e)
    throw e
  }
  if (done) done(null)
}
