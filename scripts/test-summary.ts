import { existsSync, readFileSync } from "node:fs"

// Sums vitest JSON reports into the one line CI reads: "N passed, N failed". A run whose report is
// missing (the suite crashed before reporting) counts as one failure.
let passed = 0
let failed = 0
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    process.stderr.write(`missing test report ${file}\n`)
    failed += 1
    continue
  }
  const report: { numPassedTests: number; numFailedTests: number; numTotalTests: number } = JSON.parse(
    readFileSync(file, "utf8")
  )
  passed += report.numPassedTests
  failed += report.numFailedTests + (report.numTotalTests === 0 ? 1 : 0)
}
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 && passed > 0 ? 0 : 1
