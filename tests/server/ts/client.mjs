// Drive the unmodified TypeScript AIRS SDK (@cdot65/prisma-airs-sdk) against a server; print one JSON document
// of what came back, parsed by the SDK's own response schemas (the same shape as ../sdk_client.py prints).
//
// Usage: node client.mjs < spec.json, spec = {endpoint, apiKey, apiToken?, profile, texts: {injection,
// benignPrompt, benignResponse, dlpResponse}}. NODE_EXTRA_CA_CERTS names the throwaway CA.
import { readFileSync } from 'node:fs';
import { Content, Scanner, init } from '@cdot65/prisma-airs-sdk';

const spec = JSON.parse(readFileSync(0, 'utf8'));
const { injection, benignPrompt, benignResponse, dlpResponse } = spec.texts;
init({ apiKey: spec.apiKey, apiToken: spec.apiToken, apiEndpoint: spec.endpoint, numRetries: 0 });
const scanner = new Scanner();
const profile = { profile_name: spec.profile };
const cases = {
  injection: { prompt: injection },
  dlp: { prompt: benignPrompt, response: dlpResponse },
  benign: { prompt: benignPrompt, response: benignResponse },
};

async function poll(fn) {
  let rows = [];
  for (let i = 0; i < 200; i++) {
    rows = await fn();
    if (rows.length && rows.every((r) => r.status === 'complete')) return rows;
    await new Promise((done) => setTimeout(done, 50));
  }
  return rows;
}

const out = { sync: {} };
for (const [name, texts] of Object.entries(cases)) {
  out.sync[name] = await scanner.syncScan(profile, new Content(texts), { trId: `tr-${name}`, sessionId: 's-1' });
}
const batch = Object.values(cases).map((texts, i) => ({
  req_id: i + 1,
  scan_req: { tr_id: `async-${i + 1}`, ai_profile: profile, contents: [texts] },
}));
out.async = await scanner.asyncScan(batch);
out.results = await poll(() => scanner.queryByScanIds([out.async.scan_id]));
const ids = ['injection', 'dlp', 'benign'].map((n) => out.sync[n].scan_id);
out.sync_results = await scanner.queryByScanIds(ids);
out.reports = await scanner.queryByReportIds([out.async.report_id, ...ids.map((id) => `R${id}`)]);
process.stdout.write(JSON.stringify(out));
