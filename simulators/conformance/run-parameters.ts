/**
 * What a conformance run is told (cucumber's world parameters, set by `qr-harness conform`):
 * the system under test — or none, for the self run against our own archive — what it holds,
 * how long to wait, and where verdicts go. Plain JSON.
 */
export interface RunParameters {
  /** The archive under test; absent in the self run. */
  target?: { host: string; port: number; calledAeTitle: string; callingAeTitle: string };
  /** The query client under test (`--target-scu`): a command with {host} {port} {aet} {calling}, or a wait for it to connect. */
  client?: { command?: string; waitMs?: number; callingAeTitle: string };
  /** No check waits longer than this (connect, associate, next response). */
  timeoutMs?: number;
  /** What the archive holds: YAML stores and DICOM folders (default: the conformance data set). */
  storePaths?: string[];
  /** The census of the archive: matching is judged only when it holds exactly the declared data (the worklist apart). */
  census?: { ok: boolean; taken: boolean; problems: string[]; worklist?: { ok: boolean; taken: boolean; problems: string[] } };
  /** The Find models the archive accepted when it was first reached (checks that need one pick from these). */
  acceptedModels?: string[];
  /** With --pcap: each scenario's connections are appended here as byte-journal JSON lines (then written as pcapng). */
  journalFile?: string;
  /** Each verdict is appended to this file as one JSON line the moment it is reached. */
  verdictsFile?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const CONFORMANCE_STORE = 'scenarios/stores/conformance.yaml';
export const CONFORMANCE_QUERIES = 'features/data/conformance-queries.yaml';

/** The prefix of a line a scenario writes on standard error for the person running the suite (e.g. where to connect a client under test). */
export const NOTICE = 'qr-harness notice: ';
