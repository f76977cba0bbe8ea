import { configOrExit, createWorker, onShutdownSignal, openRuntime } from './runtime.ts';

// The job worker on its own, for API instances started with WORKER=off.
const config = configOrExit();
const runtime = await openRuntime(config);
const worker = createWorker(runtime);
await worker.start();
runtime.logger.info({ workerId: worker.id }, 'worker started');

onShutdownSignal(runtime.logger, config.shutdownTimeoutMs, async () => {
  await worker.stop();
  await runtime.database.close();
});
