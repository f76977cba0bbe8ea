import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { App } from '../../src/app.ts';
import { randomBase62 } from '../../src/ids.ts';
import { partner, type ApiResponse } from './harness.ts';

/** The public e-invoice corpus (UBL, CII, Factur-X/ZUGFeRD): real bodies for uploads. */
export const CORPUS_DIR = process.env.CORPUS_DIR ?? process.env.EINVOICE_CORPUS_DIR ?? '/work/shared/corpus/einvoices';
export const XML_SAMPLE = 'en16931-ubl-tc434-example1.xml';
export const OTHER_XML_SAMPLE = 'xrechnung-testsuite-01.01a-INVOICE_uncefact.xml';
export const PDF_SAMPLE = 'zugferd-corpus-EN16931_Einfach.pdf';

export const corpusPath = (name: string) => join(CORPUS_DIR, name);
export const corpusFile = (name: string): Buffer => readFileSync(corpusPath(name));
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A corpus file with a unique trailer (an XML comment, or a PDF comment after %%EOF): still the
 * same type from its bytes, but with a SHA-256 no other test shares.
 */
export function uniqueCopy(name: string, tag = randomBase62(16)): Buffer {
  const trailer = extname(name) === '.pdf' ? `\n% parseo-test ${tag}\n` : `\n<!-- parseo-test ${tag} -->\n`;
  return Buffer.concat([corpusFile(name), Buffer.from(trailer)]);
}

export type FilePart = { bytes: Uint8Array; filename?: string; type?: string };
export type Fields = Record<string, string> | [string, string][];

/** A multipart body as a browser or `fetch` client builds it: an optional `file` part, then fields. */
export function uploadForm(file: FilePart | null, fields: Fields = {}): FormData {
  const form = new FormData();
  if (file) {
    const blob = new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' });
    form.append('file', blob, file.filename ?? 'invoice');
  }
  for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(name, value);
  return form;
}

async function readResponse<T>(res: Response): Promise<ApiResponse<T>> {
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** POST /external/v1/invoices in-process, with any body (FormData, a string, …). */
export async function postInvoice<T = any>(app: App, key: string, body: FormData | string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const res = await app.request('/external/v1/invoices', { method: 'POST', headers: { Authorization: `Bearer ${key}`, ...headers }, body });
  return readResponse<T>(res);
}

export type UploadOptions = { filename?: string; fields?: Fields; headers?: Record<string, string> };

/** Uploads `bytes` as the `file` part, in-process. */
export function uploadBytes<T = any>(app: App, key: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<ApiResponse<T>> {
  return postInvoice<T>(app, key, uploadForm({ bytes, filename: options.filename ?? 'invoice.xml' }, options.fields), options.headers);
}

export type Job = {
  id: string;
  object: 'job';
  mode: 'live' | 'test';
  status: 'processing' | 'completed' | 'failed';
  invoiceId: string | null;
  clientId: string | null;
  error: { code: string; detail: string } | null;
  createdAt: string;
  completedAt: string | null;
};

/** Polls the job (long-polling in steps) until it leaves `processing`, or fails the test after `timeoutMs`. */
export async function waitForJob(app: App, key: string, jobId: string, timeoutMs = 20_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.floor((deadline - Date.now()) / 1000);
    const res = await partner<Job>(app, 'GET', `/jobs/${jobId}`, key, { query: { waitSeconds: String(Math.max(0, Math.min(5, left))) } });
    if (res.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${res.text}`);
    if (res.body.status !== 'processing') return res.body;
    if (Date.now() >= deadline) throw new Error(`job ${jobId} still processing after ${timeoutMs} ms`);
    if (left <= 0) await new Promise((r) => setTimeout(r, 100));
  }
}

/** Uploads and waits for the job to finish; answers the job. */
export async function uploadAndWait(app: App, key: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<Job> {
  const res = await uploadBytes(app, key, bytes, options);
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${res.text}`);
  return waitForJob(app, key, res.body.jobId as string);
}

/** The app on a real HTTP server on loopback, on a free port. */
export async function serveOnLoopback(app: App): Promise<{ origin: string; close: () => Promise<void> }> {
  let server: ServerType | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server!.close(() => resolve())),
  };
}

/** Uploads over real HTTP with `fetch`. */
export async function uploadOverHttp<T = any>(origin: string, key: string, body: FormData, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const res = await fetch(`${origin}/external/v1/invoices`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, ...headers }, body });
  return readResponse<T>(res);
}

/**
 * Uploads a file from disk with the curl binary, exactly as the docs tell a partner to. Runs
 * asynchronously: the server answering it lives in this very process.
 */
export function curlUpload(origin: string, key: string, path: string): Promise<{ status: number; headers: Map<string, string>; body: any }> {
  // -D - writes the response headers before the body (after any "100 Continue" block).
  const args = ['-s', '-S', '-D', '-', '-F', `file=@${path}`, '-H', `Authorization: Bearer ${key}`, `${origin}/external/v1/invoices`];
  return new Promise((resolve, reject) => {
    execFile('curl', args, { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`curl failed: ${error.message} ${stderr}`));
        return;
      }
      let rest = stdout;
      let block = '';
      while (rest.startsWith('HTTP/')) {
        const end = rest.indexOf('\r\n\r\n');
        block = rest.slice(0, end);
        rest = rest.slice(end + 4);
      }
      const [statusLine, ...lines] = block.split('\r\n');
      const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: rest ? JSON.parse(rest) : null });
    });
  });
}
