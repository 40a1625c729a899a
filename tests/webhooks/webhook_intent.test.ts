import { describe, expect, test } from "vitest";
import { webhookIntent } from "../../src/webhooks/webhook_intent.ts";

const settings = { triggerLabel: "agent", botLogin: "agent-runner[bot]" };
const base = { repository: { full_name: "acme/tasks" }, sender: { login: "maria" } };
const issue = { number: 4 };

describe("what a webhook delivery asks for", () => {
  test("the trigger label (any case), the bot's assignment and /agent run start the issue", () => {
    expect(webhookIntent("issues", { ...base, action: "labeled", issue, label: { name: "AGENT" } }, settings))
      .toEqual({ kind: "start", repo: "acme/tasks", issue: 4, sender: "maria", trigger: "labeled" });
    expect(
      webhookIntent("issues", {
        ...base,
        action: "assigned",
        issue,
        assignee: { login: "Agent-Runner[bot]" },
      }, settings)
        .kind,
    ).toBe("start");
    const comment = (body: string) => ({ ...base, action: "created", issue, comment: { id: 9, body } });
    expect(webhookIntent("issue_comment", comment("/agent run now"), settings).kind).toBe("start");
    expect(webhookIntent("issue_comment", comment("  /agent run"), settings).kind).toBe("start");
    expect(webhookIntent("issue_comment", comment("/agent running"), settings).kind).toBe("none");
    expect(webhookIntent("issue_comment", comment("see /agent run"), settings).kind).toBe("none");
  });

  test("without GITHUB_BOT_LOGIN an assignment starts nothing", () => {
    const payload = { ...base, action: "assigned", issue, assignee: { login: "agent-runner[bot]" } };
    expect(webhookIntent("issues", payload, { triggerLabel: "agent" })).toEqual({
      kind: "none",
      reason: "GITHUB_BOT_LOGIN is not set",
    });
  });

  test("comments and reviews on pull requests go to the follow-up, whatever their text", () => {
    const pr = { ...issue, pull_request: { url: "x" } };
    expect(
      webhookIntent("issue_comment", {
        ...base,
        action: "created",
        issue: pr,
        comment: { id: 1, body: "hi" },
      }, settings),
    )
      .toEqual({
        kind: "pull_comment",
        repo: "acme/tasks",
        pull: 4,
        sender: "maria",
        comment: { kind: "issue_comment", id: 1, body: "hi" },
      });
    const pull_request = { number: 8 };
    expect(
      webhookIntent("pull_request_review_comment", {
        ...base,
        action: "created",
        pull_request,
        comment: { id: 2, body: "x" },
      }, settings),
    ).toMatchObject({ kind: "pull_comment", pull: 8, comment: { kind: "review_comment", id: 2 } });
    expect(
      webhookIntent("pull_request_review", {
        ...base,
        action: "submitted",
        pull_request,
        review: { id: 3, body: null },
      }, settings),
    ).toMatchObject({ kind: "pull_comment", comment: { kind: "review", id: 3, body: "" } });
    expect(
      webhookIntent("pull_request_review", {
        ...base,
        action: "dismissed",
        pull_request,
        review: { id: 3, body: "" },
      }, settings)
        .kind,
    ).toBe("none");
  });

  test("issues.closed wakes waiting jobs; the bot's own actions, unknown events and bad payloads do nothing", () => {
    expect(webhookIntent("issues", { ...base, action: "closed", issue }, settings)).toEqual({
      kind: "issue_closed",
      repo: "acme/tasks",
      issue: 4,
    });
    const own = {
      ...base,
      sender: { login: "agent-runner[bot]" },
      action: "labeled",
      issue,
      label: { name: "agent" },
    };
    expect(webhookIntent("issues", own, settings)).toEqual({ kind: "none", reason: "the bot's own action" });
    expect(webhookIntent("star", { ...base, action: "created" }, settings).kind).toBe("none");
    expect(webhookIntent("issues", { action: "labeled" }, settings)).toEqual({
      kind: "none",
      reason: "the issues payload lacks what it should carry",
    });
  });
});
