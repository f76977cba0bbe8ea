import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ExtractionError } from '../types.ts';
import { extractInvoice, type Extraction } from './index.ts';

/**
 * Entry point of an extraction worker thread (see sandbox.ts): answers one message per stored
 * file. Errors cross the thread boundary as data, never as thrown objects.
 */
export type WorkerTask = { id: number; path: string };
export type WorkerAnswer = { ok: true; extraction: Extraction } | { ok: false; code: string | null; detail: string };

function answer(path: string): WorkerAnswer {
  try {
    return { ok: true, extraction: extractInvoice(readFileSync(path)) };
  } catch (err) {
    if (err instanceof ExtractionError) return { ok: false, code: err.code, detail: err.message };
    // Not a verdict on the file but a fault here: the pipeline logs it and retries the job.
    return { ok: false, code: null, detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

parentPort?.on('message', ({ id, path }: WorkerTask) => parentPort!.postMessage({ id, answer: answer(path) }));
