import { randomBytes } from 'node:crypto';
import { rssBytes } from '../lib/process.ts';
import { median, round } from '../lib/stats.ts';
import { summary, timeSequential } from '../lib/timing.ts';
import type { Scenario } from './types.ts';

const UPLOADS = 200;

function xmlInvoice(tag: string): Blob {
  return new Blob([`<?xml version="1.0"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>${tag}</ID></Invoice>\n`], { type: 'application/xml' });
}

async function upload(origin: string, key: string, file: Blob, name: string): Promise<string> {
  const form = new FormData();
  form.set('file', file, name);
  const res = await fetch(`${origin}/external/v1/invoices`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
  const body = (await res.json()) as { jobId?: string };
  if (res.status !== 202 || !body.jobId) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
  return body.jobId;
}

/** 3. Upload → job completed in test mode: POST, then a long poll that returns when the job ends. */
export const uploadLatency: Scenario = async ({ ours, tenant, runs }) => {
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let r = 0; r < runs; r++) {
    const times = await timeSequential(UPLOADS, async (i) => {
      const jobId = await upload(ours.origin, tenant.test, xmlInvoice(`bench-${r}-${i}-${randomBytes(6).toString('hex')}`), 'invoice.xml');
      const res = await fetch(`${ours.origin}/external/v1/jobs/${jobId}?waitSeconds=10`, { headers: { Authorization: `Bearer ${tenant.test}` } });
      const job = (await res.json()) as { status: string };
      if (job.status !== 'completed') throw new Error(`job ${jobId} is ${job.status}`);
    });
    const s = summary(times);
    p50s.push(s.p50);
    p99s.push(s.p99);
  }
  return { p50Ms: round(median(p50s), 1), p99Ms: round(median(p99s), 1), uploadsPerRun: UPLOADS };
};

/** 4. Peak RSS growth of the server while four 18 MB uploads stream in at once. */
export const uploadMemory: Scenario = async ({ ours, tenant, runs }) => {
  const size = 18 * 1024 * 1024;
  const growths: number[] = [];
  for (let r = 0; r < runs; r++) {
    // A PDF by its magic, random after it: nothing compresses or dedupes it.
    const files = Array.from({ length: 4 }, () => new Blob([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)], { type: 'application/pdf' }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baseline = rssBytes(ours.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(ours.pid))), 5);
    await Promise.all(files.map((file, i) => upload(ours.origin, tenant.test, file, `big-${r}-${i}.pdf`)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(sampler);
    growths.push((peak - baseline) / (1024 * 1024));
  }
  return { peakRssGrowthMb: round(median(growths), 1), runsMb: growths.map((g) => round(g, 1)) };
};
