import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Job } from "../../src/contracts/job.ts";
import { pullRequestMarker } from "../../src/github/branch_ownership.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { Service } from "../../src/service.ts";
import type { GitHubStandIn } from "../stand_ins/github_server.ts";
import { serveWebhooks, webhookStandIn } from "./webhook_service.ts";

const REPO = "acme/tasks";

/** Polls `read` until it returns a value (the handler acts after the HTTP answer). */
async function until<T>(read: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("POST /v1/webhooks/github: signed deliveries, dedupe, triggers and who may pull them", () => {
  let github: GitHubStandIn;
  let service: Service;
  let server: Deno.HttpServer<Deno.NetAddr>;
  let dir: string;
  let apiUrl: string;

  const auditLines = async () =>
    (await Deno.readTextFile(`${dir}/audit.jsonl`).catch(() => "")).split("\n").filter(Boolean).map((l) =>
      JSON.parse(l) as Record<string, unknown>
    );
  const jobs = async () =>
    ((await (await fetch(`${apiUrl}/v1/jobs?limit=100`)).json()) as { jobs: Job[] }).jobs;
  const jobsFor = async (issue: number) => (await jobs()).filter((j) => j.issue === issue);

  /** A branch with one commit on it, as the head of a pull request. */
  const branch = (name: string) => {
    github.pushCommitAs(REPO, name, {
      author: { login: "maria" },
      message: "Work",
      files: new Map([["a.py", new TextEncoder().encode(`${name}\n`)]]),
    });
    return { head: name, base: "main" };
  };
  /** A pull request carrying the service's ownership marker, as the service opens them. */
  const servicePull = (name: string) =>
    github.openPullRequestAs(REPO, {
      ...branch(name),
      title: "[dev] work",
      body: `Closes #1\n\n${pullRequestMarker("job-1")}`,
      login: "agent-runner[bot]",
    });

  beforeAll(async () => {
    github = await webhookStandIn(REPO);
    github.addIssue(REPO, { number: 2, title: "[dev] Read-only label", body: "" });
    github.addIssue(REPO, { number: 3, title: "Not a work item", body: "" });
    github.addIssue(REPO, { number: 4, title: "[dev] Assign me", body: "" });
    github.addIssue(REPO, { number: 5, title: "Parent", body: "", subIssues: [6] });
    github.addIssue(REPO, { number: 6, title: "[dev] Child", body: "" });
    github.addIssue(REPO, { number: 7, title: "[dev] Other label", body: "" });
    github.addIssue(REPO, { number: 8, title: "[dev] Redelivered", body: "" });
    github.grantRole(REPO, "rita", "read");
    github.grantRole(REPO, "tom", "triage");
    dir = await Deno.makeTempDir({ prefix: "webhooks-" });
    ({ service, server, url: apiUrl } = await serveWebhooks(github, {
      GITHUB_TOKEN: github.token,
      JOBS_DB_PATH: `${dir}/jobs.sqlite`,
      AUDIT_LOG_PATH: `${dir}/audit.jsonl`,
      GITHUB_BOT_LOGIN: "agent-runner[bot]",
    }));
  });

  afterAll(async () => {
    await server?.shutdown();
    await service?.close();
    await github?.close();
    if (dir) await Deno.remove(dir, { recursive: true });
  });

  test("a maintainer's trigger label queues one job for the issue, submitted as github:<login>", async () => {
    const sent = await github.labelIssueAs(REPO, 1, "agent", "maria");
    expect(sent.status).toBe(202);
    expect(JSON.parse(sent.response)).toEqual({ status: "accepted", delivery: sent.id });
    const [job] = await until(
      async () => (await jobsFor(1)).length > 0 ? await jobsFor(1) : undefined,
      "job",
    );
    expect(job).toMatchObject({ repo: REPO, issue: 1, status: "queued", submitter: "github:maria" });
    const created = (await auditLines()).find((l) => l.event === "job_created" && l.jobId === job!.id);
    expect(created).toMatchObject({ principal: "github:maria", delivery: sent.id });
  });

  test("the same delivery twice starts one job: the redelivery is answered 200 duplicate", async () => {
    const first = await github.labelIssueAs(REPO, 7, "Agent", "maria");
    expect(first.status).toBe(202);
    await until(async () => (await jobsFor(7)).length > 0 ? true : undefined, "job");
    const again = await github.redeliver(first.id);
    expect(again.id).toBe(first.id);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.response)).toEqual({ status: "duplicate", delivery: first.id });
    expect(await jobsFor(7)).toHaveLength(1);
  });

  test("a forged signature is a 401 with an audit line, and starts nothing", async () => {
    const payload = JSON.parse(github.deliveries[0]!.body) as { issue: { number: number } };
    payload.issue.number = 2;
    const forged = await github.deliver("issues", payload, {
      signature: `sha256=${"0".repeat(64)}`,
    });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.response).error).toMatchObject({ code: "webhook_signature_invalid" });
    const unsigned = await github.deliver("issues", payload, { signature: null });
    expect(unsigned.status).toBe(401);
    // Signed with another secret: the body is right, the key is not.
    const { signBody } = await import("../stand_ins/github/webhook_sender.ts");
    const wrongKey = await github.deliver("issues", payload, {
      signature: signBody("not-the-secret-at-all", JSON.stringify(payload)),
    });
    expect(wrongKey.status).toBe(401);
    const rejected = (await auditLines()).filter((l) => l.event === "webhook_rejected");
    expect(rejected.map((l) => [l.reason, l.delivery])).toEqual([
      ["bad_signature", forged.id],
      ["missing_signature", unsigned.id],
      ["bad_signature", wrongKey.id],
    ]);
    expect(JSON.stringify(rejected)).not.toContain(github.webhookSecret);
    // A 401 is answered before anything is recorded: the same ids signed properly are new deliveries.
    expect(await jobsFor(2)).toHaveLength(0);
  });

  test("a label from a read-only (or triage) user is ignored with an audit line, no job, no comment", async () => {
    const read = await github.labelIssueAs(REPO, 2, "agent", "rita");
    const triage = await github.labelIssueAs(REPO, 2, "agent", "tom");
    expect([read.status, triage.status]).toEqual([202, 202]);
    const ignored = await until(async () => {
      const lines = (await auditLines()).filter((l) => l.event === "webhook_ignored");
      return lines.length >= 2 ? lines : undefined;
    }, "audit lines");
    expect(ignored.map((l) => [l.sender, l.delivery, l.reason])).toEqual([
      ["rita", read.id, "sender has read permission; write, maintain or admin is needed"],
      ["tom", triage.id, "sender has triage permission; write, maintain or admin is needed"],
    ]);
    expect(await jobsFor(2)).toHaveLength(0);
    expect(github.issueComments(REPO, 2)).toHaveLength(0);
  });

  test("an issue that is no [dev] work item gets one comment saying why nothing started", async () => {
    await github.labelIssueAs(REPO, 3, "agent", "maria");
    const [comment] = await until(
      () => github.issueComments(REPO, 3).length > 0 ? github.issueComments(REPO, 3) : undefined,
      "comment",
    );
    expect(comment!.versions.at(-1)).toContain(
      "The agent did not start: Issue #3 of acme/tasks is not a [dev]",
    );
    expect(await jobsFor(3)).toHaveLength(0);
  });

  test("assigning the bot and an /agent run comment are triggers too; a parent with [dev] sub-issues starts", async () => {
    await github.assignIssueAs(REPO, 4, "agent-runner[bot]", "maria");
    await github.commentOnIssueAs(REPO, 5, "/agent run please", "maria");
    const [assigned] = await until(
      async () => (await jobsFor(4)).length > 0 ? await jobsFor(4) : undefined,
      "4",
    );
    const [parent] = await until(
      async () => (await jobsFor(5)).length > 0 ? await jobsFor(5) : undefined,
      "5",
    );
    expect(assigned!.submitter).toBe("github:maria");
    expect(parent!.submitter).toBe("github:maria");
  });

  test("a review comment asking the bot on the service's pull request queues a follow-up for a writer", async () => {
    const ours = servicePull("agent/issue-1-ours");
    const asked = await github.reviewCommentAs(REPO, ours, {
      login: "maria",
      path: "a.py",
      line: 1,
      body: "@agent-runner please rename a to b",
    });
    expect(asked.delivery.status).toBe(202);
    const [followUp] = await until(
      async () => (await jobsFor(ours)).length > 0 ? await jobsFor(ours) : undefined,
      "follow-up",
    );
    expect(followUp).toMatchObject({
      issue: ours,
      pull: ours,
      submitter: "github:maria",
      instructions: "@agent-runner please rename a to b",
      comment: { kind: "review_comment", id: asked.id },
    });
    const readOnly = await github.reviewCommentAs(REPO, ours, {
      login: "rita",
      path: "a.py",
      line: 1,
      body: "/agent go",
    });
    const ignored = await until(
      async () =>
        (await auditLines()).find((l) =>
          l.event === "webhook_ignored" && l.delivery === readOnly.delivery.id
        ),
      "audit line",
    );
    expect(ignored).toMatchObject({ sender: "rita" });
  });

  test("a delivery that could not be acted on (GitHub failed) is forgotten: its redelivery starts the job", async () => {
    github.failNext("GET", `/repos/${REPO}/collaborators/`, 422);
    const failed = await github.labelIssueAs(REPO, 8, "agent", "maria");
    expect(failed.status).toBe(202);
    // Redelivering until it is taken again: the first answers 200 duplicate while the failure is handled.
    const again = await until(async () => {
      const sent = await github.redeliver(failed.id);
      return sent.status === 202 ? sent : undefined;
    }, "a redelivery acted on");
    expect(again.id).toBe(failed.id);
    const [job] = await until(
      async () => (await jobsFor(8)).length > 0 ? await jobsFor(8) : undefined,
      "job",
    );
    expect(job!.submitter).toBe("github:maria");
  });

  test("issues.closed wakes the jobs waiting on that issue", async () => {
    const since = service.wakeups.mark();
    const sent = await github.closeIssueAs(REPO, 6, "maria");
    expect(sent.status).toBe(202);
    const woken = await service.wakeups.wait([{ repo: REPO, number: 6 }], { timeoutMs: 60_000, since });
    expect(woken).toBe("woken");
  });

  test("other labels, assignees and comments, remarks without the mention, closed or other people's pull requests, and unknown events start nothing", async () => {
    const closedPull = servicePull("agent/issue-1-closed");
    github.closePull(REPO, closedPull);
    const theirs = github.openPullRequestAs(REPO, {
      ...branch("feature/theirs"),
      title: "Theirs",
      body: "Mine",
      login: "maria",
    });
    const remark = (body: string) => ({ login: "maria", path: "a.py", line: 1, body });
    const before = (await jobs()).length;
    const answers = [
      await github.labelIssueAs(REPO, 6, "bug", "maria"),
      await github.assignIssueAs(REPO, 6, "maria", "maria"),
      await github.commentOnIssueAs(REPO, 6, "please /agent run", "maria"),
      await github.deliver("star", { action: "created", repository: { full_name: REPO } }),
      await github.deliver("ping", { zen: "Keep it logically awesome." }),
      (await github.reviewCommentAs(REPO, servicePull("agent/issue-1-quiet"), remark("looks good"))).delivery,
      (await github.reviewCommentAs(REPO, closedPull, remark("@agent-runner fix this"))).delivery,
      (await github.reviewCommentAs(REPO, theirs, remark("@agent-runner fix this"))).delivery,
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202, 202, 202]);
    // Closing waits for every delivery being acted on; then the job store is read on its own.
    await server.shutdown();
    await service.close();
    const store = openSqliteStore(`${dir}/jobs.sqlite`, { idempotencyTtlMs: 1000 });
    try {
      expect((await store.list({ limit: 100 })).jobs).toHaveLength(before);
    } finally {
      store.close();
    }
  });
});
