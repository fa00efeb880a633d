import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { tempDir } from '../../simulators/testing/temp-dir.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- CI and Kubernetes documents, read field by field */
type Doc = Record<string, any>;

const ROOT = path.join(import.meta.dirname, '../..');
const DIR = path.join(ROOT, '.ci/scale-out');
const load = (f: string) => parse(readFileSync(path.join(DIR, f), 'utf8')) as Doc;
const loadAll = (f: string) =>
  parseAllDocuments(readFileSync(path.join(DIR, f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${f} parses`);
    return d.toJS() as Doc;
  });
/** The theme tags of features/: each folder's name. */
const themes = readdirSync(path.join(ROOT, 'features'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(path.join(ROOT, 'features', d.name)).some((f) => f.endsWith('.feature')))
  .map((d) => `@${d.name}`);

test('the GitHub Actions matrix: an archive or a tag group per job, every theme covered, each report uploaded, then merged', () => {
  const wf = load('github-actions.yml');
  const conform = wf.jobs.conform;
  const runs = conform.strategy.matrix.include as Doc[];
  assert.equal(new Set(runs.map((r) => r.name)).size, runs.length, 'one name per job');
  for (const r of runs.filter((x) => x.archive)) {
    assert.ok(['dcmqrscp', 'orthanc'].includes(r.archive), r.archive);
    assert.ok(existsSync(path.join(ROOT, r.expected)), `${r.expected} exists`);
  }
  const groups = runs.filter((r) => !r.archive).map((r) => r.tags as string);
  for (const t of themes) assert.ok(groups.some((g) => g.split(/\s+or\s+/).includes(t)), `a tag group runs ${t}`);
  const steps = conform.steps as Doc[];
  const run = (re: RegExp) => steps.find((s) => re.test(s.run ?? ''));
  assert.match(run(/start-archive\.sh/)!.run, /^\.ci\/scale-out\/start-archive\.sh \$\{\{ matrix\.archive \}\} \$\{\{ matrix\.port \}\} \$\{\{ matrix\.ae \}\}$/);
  assert.match(run(/--target-scp/)!.run, /--load --expect \$\{\{ matrix\.expected \}\} --report reports-\$\{\{ matrix\.name \}\}$/);
  assert.match(run(/--tags/)!.run, /--report reports-\$\{\{ matrix\.name \}\}$/);
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
  assert.equal(upload.if, 'always()');
  assert.equal(upload.with.name, 'reports-${{ matrix.name }}');

  const merge = wf.jobs.merge;
  assert.equal(merge.needs, 'conform');
  assert.equal(merge.if, 'always()');
  assert.equal(merge.steps.find((s: Doc) => s.uses?.startsWith('actions/download-artifact')).with.pattern, 'reports-*');
  assert.ok(merge.steps.some((s: Doc) => s.run === 'npx qr-harness merge reports-*/ --report merged/'));
  accessSync(path.join(DIR, 'start-archive.sh'), constants.X_OK);
});

test('the GitLab CI matrix runs the same jobs and merges their reports', () => {
  const gl = load('gitlab-ci.yml');
  const gh = load('github-actions.yml').jobs.conform.strategy.matrix.include as Doc[];
  const matrix = gl.conform.parallel.matrix as Doc[];
  assert.deepEqual(
    matrix.map((m) => [m.RUN, m.ARCHIVE, m.AE, m.PORT && Number(m.PORT), m.EXPECTED, m.TAGS]),
    gh.map((m) => [m.name, m.archive, m.ae, m.port, m.expected, m.tags]),
  );
  assert.deepEqual(gl.conform.artifacts, { when: 'always', name: 'reports-$RUN', paths: ['reports-$RUN/'] });
  assert.deepEqual(gl.merge.needs, ['conform']);
  assert.ok((gl.merge.script as string[]).includes('npx qr-harness merge reports-*/ --report merged/'));
});

test('the Kubernetes Indexed Job: N pods, each its shard of the load into a shared volume, then a merge Job', () => {
  const docs = loadAll('load-job.yaml');
  const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
  const job = docs.find((d) => d.kind === 'Job')!;
  assert.equal(pvc.apiVersion, 'v1');
  assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany'], 'pods on several nodes write to it');
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.ok(Number.isInteger(job.spec.completions) && job.spec.completions > 1);
  assert.equal(job.spec.parallelism, job.spec.completions);
  const pod = job.spec.template.spec;
  assert.ok(['Never', 'OnFailure'].includes(pod.restartPolicy), 'a Job pod must not restart Always');
  const [c] = pod.containers as Doc[];
  const env = Object.fromEntries((c!.env as Doc[]).map((e) => [e.name, e.value]));
  assert.equal(Number(env.SHARDS), job.spec.completions, 'SHARDS is the number of completions');
  assert.deepEqual(c!.command.slice(0, 2), ['sh', '-c']);
  const script = c!.command[2] as string;
  assert.match(script, /JOB_COMPLETION_INDEX/);
  assert.match(script, /--shard /);
  assert.equal(c!.volumeMounts[0].mountPath, '/out');
  const volume = (pod.volumes as Doc[]).find((v) => v.name === c!.volumeMounts[0].name)!;
  assert.equal(volume.persistentVolumeClaim.claimName, pvc.metadata.name);

  // The shell line of pod 2 of 4, run with an npx that prints what it was given.
  const bin = tempDir('scale-out-npx');
  writeFileSync(path.join(bin, 'npx'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
  chmodSync(path.join(bin, 'npx'), 0o755);
  const r = spawnSync('sh', ['-c', script], { env: { ...env, PATH: `${bin}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: '2' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').join(' '), `qr-harness load --target-scp ${env.TARGET} --called-ae ${env.AE} --rate ${env.RATE} --duration ${env.DURATION} --concurrency ${env.CONCURRENCY} --shard 2/${env.SHARDS} --json /out/shard-2.json`);

  const [merge] = loadAll('load-merge-job.yaml');
  assert.equal(merge!.apiVersion, 'batch/v1');
  assert.equal(merge!.kind, 'Job');
  const m = merge!.spec.template.spec;
  assert.equal(m.volumes[0].persistentVolumeClaim.claimName, pvc.metadata.name);
  assert.equal(m.containers[0].volumeMounts[0].mountPath, '/out');
  assert.match(m.containers[0].command.join(' '), /qr-harness merge \/out\/shard-\*\.json --json \/out\/merged\.json/);
});
