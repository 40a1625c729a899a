/**
 * The project's few typed errors. Each says what failed and why, and chains the
 * underlying error as `cause`.
 */

/** Base class: a failure the pipeline understands and can report. */
export class AgentRunnerError extends Error {
  override name = "AgentRunnerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A sandbox (container, volume, exec) could not do what was asked. */
export class SandboxError extends AgentRunnerError {
  override name = "SandboxError";
}

/** A tool call was refused or failed; the message goes back to the model as a tool error. */
export class ToolError extends AgentRunnerError {
  override name = "ToolError";
}

/** A GitHub call failed or returned something the pipeline cannot use. */
export class GitHubError extends AgentRunnerError {
  override name = "GitHubError";
}

/** The work item cannot be worked on (e.g. no `[dev]` sub-issues). */
export class WorkItemError extends AgentRunnerError {
  override name = "WorkItemError";
}

/** Configuration is missing or invalid. */
export class ConfigError extends AgentRunnerError {
  override name = "ConfigError";
}
