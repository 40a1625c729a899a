/**
 * `deno task run --repo owner/name --issue N [--base main]`: one job through
 * the same service and pipeline as the HTTP API, without the server. Every line
 * goes to the terminal through {@link forTerminal}, and each field that may hold
 * the sandbox's or the model's text is kept to its one line.
 */
import { parseArgs } from "node:util";
import { describeZodError } from "../api/error_handling.ts";
import { jobRequestSchema } from "../api/job_request_schema.ts";
import type { CliIo } from "./cli_io.ts";
import { loadConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { JobAbort } from "../jobs/job_abort.ts";
import { runJob } from "../jobs/run_job.ts";
import { buildService } from "../service.ts";
import { createProgressPrinter } from "./progress_printer.ts";
import { forTerminal } from "./terminal_text.ts";

const POLL_MS = 100;

/** Runs one job and prints its progress. @returns 0 on success, 1 when the job does not succeed, 2 on bad input, 130 on Ctrl-C. */
export async function runJobCommand(args: string[], terminal: CliIo): Promise<number> {
  const io: CliIo = {
    ...terminal,
    out: (line) => terminal.out(forTerminal(line, true)),
    err: (line) => terminal.err(forTerminal(line, true)),
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { repo: { type: "string" }, issue: { type: "string" }, base: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\nUsage: deno task run --repo owner/name --issue N [--base branch]`);
    return 2;
  }
  const request = jobRequestSchema.safeParse({
    repo: values.repo,
    issue: values.issue === undefined ? undefined : Number(values.issue),
    ...(values.base !== undefined ? { base: values.base } : {}),
  });
  if (!request.success) {
    io.err(`--${describeZodError(request.error)}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 2;
  }
  const service = await buildService(config, { ...io.service, worker: false });
  const { store } = service;
  try {
    const created = await store.create({ ...request.data, submitter: "cli" });
    const job = (await store.claimNext({ id: created.id }))!;
    const started = Date.now();
    io.out(`job ${job.id}: ${forTerminal(`${job.repo}#${job.issue}${job.base ? ` onto ${job.base}` : ""}`)}`);
    const controller = new AbortController();
    let interrupted = false;
    const unregister = io.onInterrupt(() => {
      interrupted = true;
      io.err("interrupted: stopping the job (the sandbox is removed first)…");
      controller.abort(new JobAbort("cancelled", "cancelled from the command line"));
    });
    const printer = createProgressPrinter(io.out, started);
    let seen = 0;
    const drain = async () => {
      for (const event of await store.listEvents(job.id, seen)) {
        printer.print(event);
        seen = event.seq;
      }
    };
    const running = runJob(store, service.pipeline, job, {
      controller,
      deadlineMs: config.jobs.deadlineMs,
      cancelGraceMs: config.jobs.cancelGraceMs,
      // The command owns its job: Ctrl-C cancels it, nothing is left queued (nor retried later).
      requeueInterrupted: false,
      hostRetries: 0,
    });
    let done = false;
    // Only marks the end; the job's own outcome (or failure) comes from `await running` below.
    const ended = running.then(() => done = true, () => done = true);
    while (!done) {
      await drain();
      // A cancel asked for through the API of a server sharing the database.
      if (!controller.signal.aborted && (await store.get(job.id))?.cancelRequested) {
        controller.abort(new JobAbort("cancelled", (await store.get(job.id))?.reason ?? "cancelled"));
      }
      await Promise.race([ended, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
    const final = await running;
    await drain();
    unregister();
    for (const pr of final.pullRequests) {
      io.out(`pull request #${pr.number} for issue #${pr.issue}: ${forTerminal(pr.url)}`);
    }
    const summary =
      `${final.status} in ${((Date.now() - started) / 1000).toFixed(1)}s; ${printer.toolCalls} tool calls, ` +
      `${final.usage.totalTokens} tokens, $${printer.costUsd(final.usage.costUsd).toFixed(4)}`;
    if (final.status === "succeeded") {
      io.out(summary);
      return 0;
    }
    io.err(`${summary}\nreason: ${forTerminal(final.reason ?? final.status)}`);
    return interrupted ? 130 : 1;
  } finally {
    await service.close();
  }
}
