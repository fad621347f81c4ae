import { toRunStreamMessage } from '../../../shared/eventCodec'
import type { RunStreamMessage, RunStreamPageMessage } from '../../../shared/protocol'

/**
 * A listener of the run stream as a transport brings it (run:events as a frame of bytes) that hands
 * `listener` each message decoded. A frame that cannot be read is reported and dropped, never half
 * read: the run's end then tells the page how many events it missed.
 */
export function hearRunStream(
  listener: (message: RunStreamMessage) => void,
  report: (why: string) => void = (why) => console.error(`interleave: ${why}`),
): (message: RunStreamPageMessage) => void {
  return (message) => {
    let decoded: RunStreamMessage
    try {
      decoded = toRunStreamMessage(message)
    } catch (e) {
      report(`a run message was dropped: ${e instanceof Error ? e.message : String(e)}`)
      return
    }
    listener(decoded)
  }
}
