/** Role `tag`: a loop that tags registered devices' managed nodes, again at once while there is more due. */
import type { TagService } from '../services/tag-service.js';
import { IntervalLoop } from './interval-loop.js';

export function createTagLoop(service: TagService, intervalMs: number, onError: (err: unknown) => void): IntervalLoop {
  const loop: IntervalLoop = new IntervalLoop(
    intervalMs,
    async () => {
      const r = await service.tick();
      // a full claim means more is due: the next pass starts now, not an interval later
      if (r.more) loop.wake();
    },
    onError,
  );
  return loop;
}
