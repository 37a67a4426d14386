// Sums Jest JSON reports and static checks into the one line CI reads: "N passed, N failed".
// A suite that failed to run (compile error, crash in beforeAll) counts as a failure too.
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of ['unit.json', 'integration.json']) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    console.error(`missing ${name}: the runner did not finish`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests || 0);
  for (const s of r.testResults) {
    if (s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')) {
      failed += 1;
      console.error(
        `suite failed to run: ${path.relative(process.cwd(), s.name)}: ${(s.message || '').split('\n').slice(0, 3).join(' ')}`,
      );
    }
  }
}
const checks = path.join(dir, 'checks.txt');
if (fs.existsSync(checks)) {
  for (const line of fs.readFileSync(checks, 'utf8').split('\n').filter(Boolean)) {
    if (line.startsWith('pass ')) passed += 1;
    else {
      failed += 1;
      console.error(`check failed: ${line.slice(5)}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
