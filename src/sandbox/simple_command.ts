/** The simple commands the command policy checks, as read by `command_tree.ts`. */
import type { Word } from "./shell_words.ts";

/** One redirection, e.g. `2>>` `log.txt`. */
export interface Redirect {
  /** The operator as written, without a leading file descriptor number. */
  op: string;
  target: Word;
}

/** One simple command and the operator that joins it to the next. */
export interface SimpleCommand {
  /** Leading `NAME=value` words (`NAME+=value` and `NAME[i]=value` are given as `NAME=value`). */
  assignments: string[];
  /** The program and its arguments. */
  words: Word[];
  redirects: Redirect[];
  /** `;`, `&&`, `||`, `|`, `|&` or `&`; undefined for the last command. */
  next?: string;
}
