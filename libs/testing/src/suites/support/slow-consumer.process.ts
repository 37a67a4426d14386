/* A consumer process for the hard-kill test: handles slowly and appends each handled message id to a file
 * before its offset is committed, so the test can SIGKILL it mid-stream and count what was handled. */
import 'reflect-metadata';
import { appendFileSync } from 'node:fs';
import { Topics } from '@connector/contracts';
import { startMessagingHarness } from '../../kafka-test.harness';

const [prefix, out] = process.argv.slice(2);
startMessagingHarness(
  prefix,
  [
    {
      group: 'vendors',
      topics: [Topics.StVendor],
      handler: async (m) => {
        await new Promise((r) => setTimeout(r, 20));
        appendFileSync(out, `${m.envelope.id}\n`);
      },
    },
  ],
  'killable',
)
  .then(() => process.stdout.write('ready\n'))
  .catch((e) => {
    process.stderr.write(String(e));
    process.exit(1);
  });
