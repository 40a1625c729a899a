/**
 * Where the sandbox image keeps the editor program: the file
 * `images/python-sandbox/programs/editor.py` (its docstring holds the rules:
 * the path jail, UTF-8 only, line endings and BOM kept), root-owned and
 * read-only to the sandbox user. Run it as `python3 -I <path>`; input is one
 * JSON object on stdin, output one JSON object on stdout.
 */
export const EDITOR_PROGRAM_PATH = "/opt/backend-agent/editor.py";
