import { configOrExit, createDeliveryWorker, createWorker, onShutdownSignal, openRuntime } from './runtime.ts';

// The job and webhook-delivery workers on their own, for API instances started with WORKER=off.
const config = configOrExit();
if (config.databaseUrl === undefined) {
  // The embedded database belongs to one process: a second one opening DATA_DIR would corrupt it.
  console.error('npm run worker needs DATABASE_URL: the embedded database runs its worker inside the API (WORKER=inline).');
  process.exit(1);
}
const runtime = await openRuntime(config);
const workers = [createWorker(runtime), createDeliveryWorker(runtime)];
for (const worker of workers) await worker.start();
runtime.logger.info({ workers: workers.map((w) => w.id) }, 'workers started');

onShutdownSignal(runtime.logger, config.shutdownTimeoutMs, async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await runtime.database.close();
});
