import { describe, expect, test } from "vitest";
import { loadConfig } from "../src/config.ts";

const BASE = { ANTHROPIC_API_KEY: "sk-ant-test", AUTH_DISABLED: "true", GITHUB_TOKEN: "ghp_x" };

describe("the board's columns and the job links in the config", () => {
  test("the columns default to In Progress and In Review, and are set by PROJECT_STATUS_*", () => {
    expect(loadConfig(BASE).board).toEqual({ inProgress: "In Progress", inReview: "In Review" });
    expect(
      loadConfig({ ...BASE, PROJECT_STATUS_IN_PROGRESS: " Doing ", PROJECT_STATUS_IN_REVIEW: "Review" })
        .board,
    ).toEqual({ inProgress: "Doing", inReview: "Review" });
    expect(() => loadConfig({ ...BASE, PROJECT_STATUS_IN_REVIEW: "  " })).toThrow(
      /PROJECT_STATUS_IN_REVIEW is empty/,
    );
  });

  test("API_PUBLIC_URL is a URL, kept without its trailing slash; unset, comments carry no job link", () => {
    expect(loadConfig({ ...BASE, API_PUBLIC_URL: "https://agent.example.com/" }).api.publicUrl).toBe(
      "https://agent.example.com",
    );
    expect(loadConfig(BASE).api.publicUrl).toBeUndefined();
    expect(() => loadConfig({ ...BASE, API_PUBLIC_URL: "agent" })).toThrow(/API_PUBLIC_URL must be a URL/);
  });
});
