/**
 * Scenario for the environment tests: `acme/tokens`, whose code and tests import `tinyjwt`, a
 * package only the test index serves (the sandbox image lacks it). The scripted engineer runs the
 * tests, adds a helper and its test, runs them again and submits.
 */
import type { Scenario, ScriptedTurn } from "../../examples/scenario.ts";
import { bash, create, issueBody, PYTEST, turn } from "../../examples/scenarios/script_helpers.ts";

const TITLE = "[dev] Add a token for guests";
const CRITERIA = ["`guest_token()` returns a session token for the user `guest`", "A test covers it"];

const HELPER = `"""Guest sessions."""
from tokens import session_token


def guest_token() -> str:
    """The session token of the guest user."""
    return session_token("guest")
`;

const HELPER_TEST = `"""guest_token, through the installed tinyjwt."""
import tinyjwt

from guests import guest_token


def test_the_guest_token_is_the_guests_session_token() -> None:
    assert guest_token() == tinyjwt.sign({"sub": "guest"})
`;

/**
 * Probes the agent's network from inside its sandbox: the interfaces it has, and a request to the
 * index (which setup reached through the proxy) that must fail.
 */
const networkProbe = (indexHost: string) =>
  `python3 -c "import os, urllib.request
print('interfaces', sorted(os.listdir('/sys/class/net')))
try:
    urllib.request.urlopen('http://${indexHost}:8080/simple/', timeout=5)
    print('index: reached')
except Exception as error:
    print('index: unreachable', type(error).__name__)"`;

/**
 * The scenario: repo `acme/tokens` from `tests/environments/token_repo`, issues #3 and #4 (the same
 * work, so a second job needs the same environment); the job is #3.
 */
export function tokenScenario(indexHost: string): Scenario {
  const turns: ScriptedTurn[] = [
    bash(`${PYTEST} && python3 -c "import tinyjwt, sys; print(tinyjwt.__file__, sys.prefix)"`),
    bash(networkProbe(indexHost)),
    create("/workspace/guests.py", HELPER),
    create("/workspace/tests/test_guests.py", HELPER_TEST),
    bash(PYTEST),
    turn("submit_work", {
      summary: "Adds guest_token().",
      api_changes: "New function guests.guest_token().",
      auth_and_validation: "None: no endpoint changes.",
      acceptance_criteria: [
        { criterion: 1, evidence: "guests.py: guest_token() returns session_token('guest')." },
        { criterion: 2, evidence: "tests/test_guests.py checks it against tinyjwt.sign." },
      ],
      follow_ups: "None.",
    }),
    { content: [{ type: "text", text: "Submitted." }] },
  ];
  const body = issueBody("As a visitor, I want a guest session, so that I can look around.", CRITERIA);
  return {
    name: "tokens",
    repo: { fullName: "acme/tokens", dir: "tests/environments/token_repo", defaultBranch: "main" },
    issues: [{ number: 3, title: TITLE, body }, { number: 4, title: `${TITLE} (again)`, body }],
    jobIssue: 3,
    scripts: [{ match: `${TITLE} (again)`, turns }, { match: TITLE, turns }],
  };
}
