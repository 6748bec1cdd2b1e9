package dev.trailmark.shipper.internal.delivery;

/** When written events are forced from the page cache to the disk. */
public enum FsyncPolicy {
  /** After every event: survives power loss, costs a disk flush per event. */
  ALWAYS,
  /**
   * Every {@code fsyncInterval} from a background thread (default: at most that much lost on power
   * loss).
   */
  INTERVAL,
  /** Left to the operating system: survives a process kill, not a power loss. */
  NEVER
}
