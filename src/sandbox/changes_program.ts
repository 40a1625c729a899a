/**
 * Where the sandbox image keeps the changes program: the file
 * `images/python-sandbox/programs/changes.py` (its docstring holds the
 * report's shape and rules), root-owned and read-only to the sandbox user.
 * Run it as `python3 -I <path>`; input is one JSON object on stdin, output
 * one JSON object on stdout.
 */
export const CHANGES_PROGRAM_PATH = "/opt/backend-agent/changes.py";
