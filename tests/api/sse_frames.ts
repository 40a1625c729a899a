/** Server-Sent Event frames read from a response body, for tests. */

/** One frame's fields. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads SSE frames from a response body; `until` says when to stop reading. */
export async function readFrames(
  body: ReadableStream<Uint8Array>,
  until: (frames: SseFrame[]) => boolean,
  timeoutMs = 5_000,
): Promise<{ frames: SseFrame[]; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  while (!until(frames)) {
    if (Date.now() > deadline) throw new Error(`timed out; frames so far: ${JSON.stringify(frames)}`);
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: SseFrame = {};
      for (const line of block.split("\n")) {
        const [, field, value] = /^([a-z]+): ?(.*)$/.exec(line) ?? [];
        if (field === "id" || field === "event" || field === "data") frame[field] = value;
      }
      if (frame.id !== undefined || frame.data !== undefined) frames.push(frame);
    }
  }
  await reader.cancel().catch(() => undefined);
  return { frames, ended };
}
