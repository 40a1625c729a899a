/** The error of reading a repository's environment spec from its manifest files. */
import { AgentRunnerError } from "../errors.ts";

/**
 * A manifest file (requirements file, `pyproject.toml`, `uv.lock`, `poetry.lock`) is malformed or asks for
 * something setup does not do. The message names the file (and line, where there is one), the problem and
 * the fix, e.g. `requirements.txt:3: index options are not read from requirement files; …`. The underlying
 * parser error, if any, is the `cause`.
 */
export class EnvironmentSpecError extends AgentRunnerError {
  override name = "EnvironmentSpecError";
}
