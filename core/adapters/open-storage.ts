// Chooses the adapter set for a composition root: AWS (DynamoDB + S3 + SQS) or local (SQLite + files).
// The local set is imported lazily so that AWS bundles never load better-sqlite3 (a native module the
// container images leave out), and vice versa. Every mail-index write publishes to the change feed.
import type { YubinConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { Storage } from '../ports/index.js';
import { withChangeNotifications } from '../storage/notifying-mail-index.js';

export async function openStorage(config: YubinConfig, logger: Logger): Promise<Storage> {
  const opened =
    config.backend === 'aws'
      ? await (await import('./aws/open-aws-storage.js')).openAwsStorage(config.aws)
      : await (await import('./local/open-local-storage.js')).openLocalStorage({ dataDir: config.dataDir });
  return { ...opened, mailIndex: withChangeNotifications(opened.mailIndex, opened.changes, logger), close: () => opened.close() };
}
